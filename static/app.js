// Small behaviours htmx does not cover. Keep this file short.
document.addEventListener("htmx:responseError", (event) => {
  const flashes = document.getElementById("flashes");
  if (!flashes) return;
  const div = document.createElement("div");
  div.className = "flash flash-error";
  div.setAttribute("role", "alert");
  div.textContent = document.documentElement.lang === "nl"
    ? "Dat lukte niet (" + event.detail.xhr.status + "). Herlaad de pagina en probeer het opnieuw."
    : "That did not work (" + event.detail.xhr.status + "). Reload the page and try again.";
  flashes.replaceChildren(div);
});
