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
  if (source) copyFrom(copy, source);
});

// "Copy" beside a field or a code (a new API token, an invitation link). The clipboard API needs a secure page
// (https or localhost); elsewhere the text is selected and copied the old way, or left selected with a hint.
function copyFrom(button, source) {
  const text = source.value ?? source.textContent;
  const status = document.getElementById(button.getAttribute("aria-describedby") || "") || button;
  const done = () => { status.textContent = button.dataset.done; };
  const select = () => {
    if (source.select) { source.focus(); source.select(); return; }
    const range = document.createRange();
    range.selectNodeContents(source);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  };
  const byHand = () => {
    select();
    let copied = false;
    try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
    if (copied) done(); else status.textContent = button.dataset.manual || button.dataset.done;
  };
  if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, byHand);
  else byHand();
}
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
