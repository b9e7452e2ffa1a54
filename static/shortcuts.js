// Keyboard triage for the inbox and the ticket page, plus the small live behaviours of those pages.
// The help overlay (templates/tickets/_shortcuts.html) lists the same keys; press ? to see it.
(() => {
  "use strict";
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
  const page = () => $("[data-shortcuts]");
  // A box or button is not a text field: keys pressed there are still shortcuts.
  const typingInField = (el) => el && (el.isContentEditable || /^(TEXTAREA|SELECT)$/.test(el.tagName)
    || (el.tagName === "INPUT" && !/^(checkbox|radio|button|submit|reset)$/.test(el.type)));
  let selected = 0;
  let pendingG = 0;

  // -- the inbox list: j/k move a highlight, Enter opens, x selects ---------------------------------------
  const rows = () => $$("#ticket-list tr.ticket-row");
  // Only a move by key scrolls: the page opens at the top, with the bar, the views and the search in sight.
  function highlight(i, scroll) {
    const all = rows();
    if (!all.length) return;
    selected = Math.max(0, Math.min(i, all.length - 1));
    all.forEach((r, n) => r.classList.toggle("is-selected", n === selected));
    if (scroll) all[selected].scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("htmx:afterSwap", (e) => {
    if (e.detail.target && e.detail.target.id === "ticket-list") {
      selected = 0; highlight(0); updateBulk();
      const sheet = $("#views-sheet:popover-open");
      if (sheet) sheet.hidePopover();
    }
  });
  document.addEventListener("htmx:afterSettle", () => { if (rows().length && !$("tr.is-selected")) highlight(0); });
  // Tabbing into a row makes it the highlighted one, so j/k and x go on from where the keyboard is.
  document.addEventListener("focusin", (e) => {
    const row = e.target.closest && e.target.closest("tr.ticket-row");
    if (row) highlight(rows().indexOf(row));
  });

  // -- the ticket page ----------------------------------------------------------------------------------
  function composer(kind) {
    const box = $("form.composer") || $("[id$='-reply']");
    if (!box) return;
    const radio = $(`input[name=kind][value=${kind}]`, box);
    if (radio) { radio.checked = true; radio.dispatchEvent(new Event("change", { bubbles: true })); }
    const area = $("textarea", box);
    if (!area) return;
    area.focus();
    // A restored draft is continued, not typed in front of.
    area.setSelectionRange(area.value.length, area.value.length);
    area.scrollIntoView({ block: "center" });
  }
  const click = (sel) => { const el = $(sel); if (el) el.click(); return !!el; };
  const follow = (sel) => { const a = $(sel); if (a && a.href) window.location.href = a.href; };

  function toggleHelp() {
    const dialog = $("#shortcuts-help");
    if (!dialog) return;
    if (dialog.open) dialog.close(); else dialog.showModal();
  }

  // A closed help dialog gives the keys back: its Close button must not keep keyboard focus (and with it the keys).
  document.addEventListener("close", (e) => {
    if (e.target.id === "shortcuts-help" && e.target.contains(document.activeElement)) document.activeElement.blur();
  }, true);

  // Where the keyboard is decides whether a key is a shortcut. A link or button that has keyboard focus keeps
  // its own keys (Enter follows the focused link, never the highlighted row); so do open menus and dialogs.
  const CONTROL = "a[href], button, summary, input, select, textarea, label, [tabindex], [contenteditable]";
  function focusAllowsShortcuts(target) {
    if (!target || target === document.body || target === document.documentElement) return true;
    // A key pressed right after a dialog closed can still reach its button before the browser moves focus away.
    if (target.closest("dialog") && !target.closest("dialog[open]")) return true;
    if (target.closest("tr.ticket-row")) return true;  // a row is where the list's keys belong
    if (!target.matches(CONTROL)) return true;
    return !target.matches(":focus-visible");  // a button clicked with the mouse keeps no claim on the keys
  }

  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    if (typingInField(e.target)) {
      if (e.key === "Escape") e.target.blur();
      return;
    }
    const key = e.key;
    const help = $("#shortcuts-help");
    if (help && help.open) { if (key === "?") { e.preventDefault(); help.close(); } return; }
    if ($(":popover-open") || $("dialog[open]")) return;
    if (key === "Escape" && !focusAllowsShortcuts(e.target)) { e.target.blur(); return; }
    if (key === "?") { e.preventDefault(); toggleHelp(); return; }
    const onPage = e.target === document.body || e.target === document.documentElement || !e.target.closest;
    if (key === "Enter" || key === " ") {
      if (!onPage || page()?.dataset.shortcuts !== "list" || key === " ") return;
    } else if (!focusAllowsShortcuts(e.target)) return;
    const where = page() && page().dataset.shortcuts;
    if (pendingG && Date.now() - pendingG < 1500) {
      pendingG = 0;
      if (key === "i") { e.preventDefault(); follow("[data-shortcut=inbox]"); }
      return;
    }
    if (key === "g") { pendingG = Date.now(); return; }
    if (where === "list") {
      const all = rows();
      if (key === "j") { e.preventDefault(); highlight(selected + 1, true); }
      else if (key === "k") { e.preventDefault(); highlight(selected - 1, true); }
      else if ((key === "Enter" || key === "o") && all[selected]) {
        if (key === "o" && !onPage && !e.target.closest("tr.ticket-row")) return;
        e.preventDefault(); window.location.href = all[selected].dataset.href;
      }
      else if (key === "x" && all[selected]) {
        e.preventDefault();
        const box = $("input[type=checkbox]", all[selected]);
        if (box) { box.checked = !box.checked; updateBulk(); }
      }
      else if (key === "/") { e.preventDefault(); const q = $("#inbox-q"); if (q) { q.focus(); q.select(); } }
    } else if (where === "ticket") {
      if (key === "j") { e.preventDefault(); follow("a[rel=next]"); }
      else if (key === "k") { e.preventDefault(); follow("a[rel=prev]"); }
      else if (key === "u") { e.preventDefault(); follow("[data-shortcut=list]"); }
      else if (key === "r") { e.preventDefault(); composer("reply"); }
      else if (key === "n") { e.preventDefault(); composer("note"); }
      else if (key === "a") { e.preventDefault(); click("[data-shortcut=take]"); }
      else if (key === "s") { e.preventDefault(); click("[data-shortcut=solve]"); }
    }
  });

  // -- presence: "typing" heartbeats, and leaving --------------------------------------------------------
  let lastTyped = 0, lastSent = 0;
  window.inboxTyping = () => (Date.now() - lastTyped < 5000 ? 1 : 0);
  document.addEventListener("input", (e) => {
    if (!e.target.closest || !e.target.closest("form.composer, [id$='-reply']") || e.target.tagName !== "TEXTAREA") return;
    lastTyped = Date.now();
    if (lastTyped - lastSent > 2000) { lastSent = lastTyped; document.body.dispatchEvent(new CustomEvent("inbox-typing")); }
  });
  window.addEventListener("pagehide", () => {
    const poll = $("[id$='-presence-poll']");
    if (!poll) return;
    let token = "";
    try { token = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (err) { /* none */ }
    const body = new URLSearchParams({ leave: "1", csrf_token: token });
    fetch(poll.getAttribute("hx-post"), { method: "POST", body, keepalive: true, credentials: "same-origin" }).catch(() => {});
  });

  // -- remote images only on request -------------------------------------------------------------------
  document.addEventListener("click", (e) => {
    const button = e.target.closest && e.target.closest("[data-show-remote-images]");
    if (!button) return;
    const message = document.getElementById(button.dataset.showRemoteImages);
    $$("img[data-remote-src]", message).forEach((img) => {
      img.src = img.dataset.remoteSrc; img.removeAttribute("data-remote-src"); img.removeAttribute("alt");
    });
    button.closest(".remote-images").remove();
  });

  // -- bulk selection ------------------------------------------------------------------------------------
  function updateBulk() {
    const form = $("#bulk-form");
    if (!form) return;
    const n = $$("input[name=ids]:checked").length;
    const label = $(".bulk-count", form);
    if (label) label.textContent = n ? label.dataset.template.replace("{n}", n) : label.dataset.empty || label.textContent;
    $$("[data-bulk]", form).forEach((b) => { b.disabled = n === 0; });
    $$("tr.ticket-row").forEach((r) => { const c = $("input[name=ids]", r); r.classList.toggle("is-checked", !!(c && c.checked)); });
  }
  document.addEventListener("change", (e) => {
    if (e.target.id === "select-all") $$("input[name=ids]").forEach((c) => { c.checked = e.target.checked; });
    if (e.target.id === "select-all" || e.target.name === "ids") updateBulk();
  });
  document.addEventListener("DOMContentLoaded", () => {
    const label = $(".bulk-count"); if (label) label.dataset.empty = label.textContent;
    updateBulk(); highlight(0);
  });
})();
