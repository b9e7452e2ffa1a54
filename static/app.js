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

// Behaviours that used to be inline handlers: the Content-Security-Policy (inbox/headers.py) runs no inline script.
document.addEventListener("click", (event) => {
  const remove = event.target.closest("[data-remove-closest]");
  if (remove) remove.closest(remove.dataset.removeClosest)?.remove();
  const copy = event.target.closest("[data-copy-from]");
  const source = copy && document.getElementById(copy.dataset.copyFrom);
  if (source && navigator.clipboard) {
    navigator.clipboard.writeText(source.value).then(() => { copy.textContent = copy.dataset.done; });
  }
});
document.addEventListener("focusin", (event) => {
  if (event.target.matches("[data-select-on-focus]")) event.target.select();
});
document.addEventListener("change", (event) => {
  if (event.target.matches("[data-submit-on-change]")) event.target.form.requestSubmit();
});

// The ticket page's presence poll says whether this agent is typing (htmx may not eval an hx-vals expression).
document.addEventListener("htmx:configRequest", (event) => {
  if (event.detail.elt.hasAttribute("data-typing-param")) {
    event.detail.parameters.typing = window.inboxTyping ? window.inboxTyping() : 0;
  }
});
