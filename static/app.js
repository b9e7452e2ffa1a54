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

// Mail: "Copy text" under an undelivered reply, so the agent can send it another way.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy-text]");
  if (!button) return;
  const body = document.querySelector("#" + button.dataset.copyText + " .msg-body");
  if (!body || !navigator.clipboard) return;
  navigator.clipboard.writeText(body.innerText).then(() => { button.textContent = button.dataset.done; });
});
