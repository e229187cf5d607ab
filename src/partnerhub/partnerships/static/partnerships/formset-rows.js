// "Add a row" for the formsets of a page (an agreement's parties and signatories). Without JavaScript the page
// offers empty rows and more after each save; with it, a button clones the empty row kept in a <template> and
// counts it in the formset's TOTAL_FORMS.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button[data-add-row]")) {
    const prefix = button.dataset.addRow;
    const template = document.getElementById(`${prefix}-empty-row`);
    const total = document.getElementById(`id_${prefix}-TOTAL_FORMS`);
    if (!template || !total) continue;
    button.hidden = false;
    button.addEventListener("click", () => {
      const index = Number(total.value);
      const row = template.content.cloneNode(true);
      for (const element of row.querySelectorAll("*")) {
        for (const attribute of ["id", "name", "for"]) {
          const value = element.getAttribute(attribute);
          if (value && value.includes("__prefix__")) {
            element.setAttribute(attribute, value.replaceAll("__prefix__", String(index)));
          }
        }
      }
      button.before(row);
      total.value = String(index + 1);
    });
  }
});
