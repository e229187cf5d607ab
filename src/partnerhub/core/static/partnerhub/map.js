// The programme map (Leaflet, vendored): country boundaries from a TopoJSON file in our static files
// (Natural Earth via world-atlas), no tile server. The places come from the page's JSON (json_script);
// the table below the map lists the same places for readers without JavaScript.
(function () {
  "use strict";

  function link(url, text) {
    var a = document.createElement("a");
    a.href = url;
    a.textContent = text;
    return a;
  }

  function popup(title, url, detail) {
    var box = document.createElement("div");
    var strong = document.createElement("strong");
    strong.appendChild(link(url, title));
    box.appendChild(strong);
    if (detail) {
      var line = document.createElement("div");
      line.textContent = detail;
      box.appendChild(line);
    }
    return box;
  }

  // Organisations sit at their region's position: keep them on a ring of a few pixels around the region's
  // marker, at every zoom, so each one and the region stay clickable.
  var RING = 16;

  function ring(map, markers) {
    var groups = {};
    markers.forEach(function (m) {
      var key = m.place.lat + "," + m.place.lng;
      (groups[key] = groups[key] || []).push(m);
    });
    Object.keys(groups).forEach(function (key) {
      var group = groups[key];
      var centre = map.latLngToLayerPoint([group[0].place.lat, group[0].place.lng]);
      var radius = RING + Math.max(0, group.length - 8) * 1.5;
      group.forEach(function (m, i) {
        var angle = (2 * Math.PI * i) / group.length - Math.PI / 2;
        var point = centre.add([radius * Math.cos(angle), radius * Math.sin(angle)]);
        m.setLatLng(map.layerPointToLatLng(point));
      });
    });
  }

  function start() {
    var element = document.getElementById("programme-map");
    var source = document.getElementById("map-data");
    if (!element || !source || typeof window.L === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var texts = data.texts || {};
    element.classList.add("is-drawn");
    var map = window.L.map(element, { minZoom: 1, maxZoom: 10, worldCopyJump: true });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution(texts.attribution || "Natural Earth");
    var points = [];

    if (window.topojson && element.dataset.boundaries) {
      fetch(element.dataset.boundaries, { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (topology) {
          var countries = window.topojson.feature(topology, topology.objects.countries);
          window.L.geoJSON(countries, {
            interactive: false,
            style: { color: "#8aa0b4", weight: 0.6, fillColor: "#f4f1ea", fillOpacity: 1 },
          }).addTo(map).bringToBack();
        });
    }

    data.partnerships.forEach(function (p) {
      window.L.polyline([p.from, p.to], { color: "#d1773b", weight: 2, dashArray: "6 4" })
        .bindTooltip(p.name)
        .bindPopup(popup(p.name, p.url, texts.partnership))
        .addTo(map);
    });
    data.regions.forEach(function (r) {
      points.push([r.lat, r.lng]);
      var detail = r.organisations ? texts.organisations + ": " + r.organisations.toLocaleString(document.documentElement.lang || undefined) : texts.region;
      window.L.circleMarker([r.lat, r.lng], { radius: 8, color: "#1f5f8b", fillColor: "#1f5f8b", fillOpacity: 0.85 })
        .bindTooltip(r.name)
        .bindPopup(popup(r.name, r.url, detail))
        .addTo(map);
    });
    var organisations = data.organisations.map(function (o) {
      var marker = window.L.circleMarker([o.lat, o.lng], { radius: 5, color: "#3c8d5a", fillColor: "#3c8d5a", fillOpacity: 0.9 })
        .bindTooltip(o.name)
        .bindPopup(popup(o.name, o.url, o.region))
        .addTo(map);
      marker.place = o;
      return marker;
    });
    map.on("zoomend viewreset", function () { ring(map, organisations); });

    if (points.length > 1) {
      map.fitBounds(points, { padding: [40, 40], maxZoom: 6 });
    } else if (points.length === 1) {
      map.setView(points[0], 5);
    } else {
      map.setView([35, 60], 2);
    }
    ring(map, organisations);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
