// The composer's files (templates/composer/_attachments.html): a drop on the reply or a pasted screenshot goes
// through the same file input as a pick, so htmx uploads all three alike; a progress bar for the upload; a file
// over the shop's limit is refused here, before its bytes travel.
(() => {
  const box = (el) => el.closest("form")?.querySelector("[data-attachments]");

  function upload(container, files) {
    const input = container.querySelector("input[type=file]");
    const limit = Number(container.dataset.maxFile);
    const ok = new DataTransfer();
    const refused = [];
    for (const file of files) {
      if (limit && file.size > limit) refused.push(container.dataset.tooLarge.replace("{name}", file.name));
      else ok.items.add(file);
    }
    showProblems(container, refused);
    if (!ok.files.length) return;
    input.files = ok.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function showProblems(container, problems) {
    container.querySelector(".attach-client-errors")?.remove();
    if (!problems.length) return;
    const div = document.createElement("div");
    div.className = "form-errors attach-client-errors";
    div.setAttribute("role", "alert");
    const list = document.createElement("ul");
    for (const text of problems) list.appendChild(Object.assign(document.createElement("li"), { textContent: text }));
    div.appendChild(list);
    container.prepend(div);
  }

  // With script the pick uploads at once: the "Add files" button is for browsers without it.
  function enhance(root) {
    root.querySelectorAll?.("[data-attachments] .attach-upload").forEach((b) => { b.hidden = true; });
  }
  document.addEventListener("DOMContentLoaded", () => enhance(document));
  document.addEventListener("htmx:load", (event) => enhance(event.detail.elt.parentNode || document));

  // A pick over the limit: stop it before htmx sends it.
  document.addEventListener("change", (event) => {
    const input = event.target;
    if (!input.matches?.("[data-attachments] input[type=file]")) return;
    const container = box(input);
    const limit = Number(container.dataset.maxFile);
    const files = [...input.files];
    if (limit && files.some((f) => f.size > limit)) {
      event.stopImmediatePropagation();
      input.value = "";
      upload(container, files);
    }
  }, true);

  document.addEventListener("dragover", (event) => {
    const form = event.target.closest?.("form.composer");
    if (!form || !event.dataTransfer?.types.includes("Files")) return;
    event.preventDefault();
    form.classList.add("composer-dropping");
  });
  document.addEventListener("dragleave", (event) => {
    const form = event.target.closest?.("form.composer");
    if (form && !form.contains(event.relatedTarget)) form.classList.remove("composer-dropping");
  });
  document.addEventListener("drop", (event) => {
    const form = event.target.closest?.("form.composer");
    if (!form || !event.dataTransfer?.files.length) return;
    event.preventDefault();
    form.classList.remove("composer-dropping");
    const container = box(form);
    if (container) upload(container, event.dataTransfer.files);
  });

  // A screenshot on the clipboard (Print Screen, then Ctrl+V in the reply) becomes a file with a readable name.
  document.addEventListener("paste", (event) => {
    const form = event.target.closest?.("form.composer");
    const items = [...(event.clipboardData?.files || [])];
    // Text copied from a word processor may bring a picture of itself along: text stays text.
    if (!form || !items.length || event.clipboardData.types.includes("text/plain")) return;
    event.preventDefault();
    const stamp = new Date().toISOString().slice(0, 16).replace("T", " ").replace(":", ".");
    const files = items.map((f, i) => (f.name && f.name !== "image.png") ? f
      : new File([f], `screenshot ${stamp}${items.length > 1 ? "-" + (i + 1) : ""}.${(f.type.split("/")[1] || "png")}`,
                 { type: f.type }));
    const container = box(form);
    if (container) upload(container, files);
  });

  // The progress bar of an upload.
  document.addEventListener("htmx:xhr:progress", (event) => {
    const container = event.target.closest?.("[data-attachments]");
    const bar = container?.querySelector(".attach-progress");
    if (!bar || !event.detail.lengthComputable) return;
    bar.hidden = false;
    bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
  });
  document.addEventListener("htmx:afterRequest", (event) => {
    const bar = event.target.closest?.("[data-attachments]")?.querySelector(".attach-progress");
    if (bar) bar.hidden = true;
  });
})();
