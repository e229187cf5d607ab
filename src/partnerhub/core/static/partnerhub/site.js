// Behaviour that used to sit in on*= attributes, which the Content-Security-Policy blocks (decisions/0018).
// <select data-submit-on-change>: sends its form when a choice is made (the language switcher).
// <button data-print>: opens the browser's print dialogue (the personal agenda).
"use strict";
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-submit-on-change]");
  if (field && field.form) field.form.submit();
});
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
