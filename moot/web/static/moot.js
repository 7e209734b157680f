// moot: votes, saves, subscriptions and replies in place. Every form and link here works
// without this script too (a plain POST, then a redirect back); this only keeps the page.
// A form or link marked data-in is sent with fetch (header HX-Request: true, as htmx does)
// and the HTML fragment that comes back is put into the page. data-in="TARGET SWAP", both
// optional: TARGET is the element itself (default), "closest SELECTOR" or "#id"; SWAP is
// outerHTML (default), innerHTML, afterbegin or beforeend. docs/decisions.md (2026-12-01)
// says why this is not htmx: page weight.
(() => {
  "use strict";
  const SWAPS = ["outerHTML", "innerHTML", "afterbegin", "beforeend"];
  const CONTROLS = "a[href], button, input, select, textarea";
  const say = (html) => {
    const box = document.getElementById("flash");
    if (box) box.innerHTML = html;
  };

  function plan(el) {
    const words = (el.dataset.in || "").trim().split(/\s+/).filter(Boolean);
    const swap = SWAPS.includes(words[words.length - 1]) ? words.pop() : "outerHTML";
    const spec = words.join(" ");
    let target = el;
    if (spec.startsWith("closest ")) target = el.closest(spec.slice(8));
    else if (spec) target = document.querySelector(spec);
    return [target, swap];
  }

  function put(target, swap, fragment) {
    const added = [...fragment.children];
    if (swap === "outerHTML") target.replaceWith(fragment);
    else if (swap === "afterbegin") target.prepend(fragment);
    else if (swap === "beforeend") target.append(fragment);
    else target.replaceChildren(fragment);
    return added;
  }

  async function send(el, url, init) {
    const [target, swap] = plan(el);
    if (!target || el.getAttribute("aria-busy") === "true") return false;
    el.setAttribute("aria-busy", "true");
    let response, body;
    try {
      response = await fetch(url, { ...init, headers: { "HX-Request": "true" }, credentials: "same-origin" });
      body = await response.text();
    } catch {
      say('<p class="error">No connection: nothing was changed.</p>');
      return false;
    } finally {
      el.removeAttribute("aria-busy");
    }
    if (!response.ok) { say(body); return false; }
    say("");
    const template = document.createElement("template");
    template.innerHTML = body.trim();
    const first = template.content.firstElementChild;
    const open = first && first.id && document.getElementById(first.id);
    // Already in the page (a reply box): go there instead of adding another. The element
    // being replaced by its own new version (moderator tools) is not such a duplicate.
    if (open && open !== target) {
      (open.querySelector("[autofocus]") || open).focus();
      return false;
    }
    // Keep the keyboard where it was when the control it was on is replaced.
    const active = document.activeElement;
    const index = target.contains(active) ? [...target.querySelectorAll(CONTROLS)].indexOf(active) : -1;
    const added = put(target, swap, template.content);
    const auto = added.map((a) => a.querySelector("[autofocus]")).find(Boolean);
    const again = added.flatMap((a) => [...a.querySelectorAll(CONTROLS)]);
    if (auto) auto.focus();
    else if (index >= 0 && again[index]) again[index].focus();
    else if (added[0] && !active.isConnected) {
      added[0].tabIndex = -1;
      added[0].focus();
    }
    return true;
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    const button = event.submitter;
    // A form marked data-in, or a button of the page's shared form (#acts) inside an
    // element marked data-in: that element is what the answer replaces.
    const el = form.hasAttribute("data-in") ? form : button?.closest("[data-in]");
    if (!el) return;
    event.preventDefault();
    const data = new FormData(form, button);
    if (button?.name && !data.has(button.name)) data.append(button.name, button.value);
    // A button's formAction reads as the page's own URL when it has no formaction of its own.
    const url = button?.hasAttribute("formaction") ? button.formAction : form.action;
    send(el, url, { method: "POST", body: new URLSearchParams(data) }).then((swapped) => {
      if (swapped && el === form && form.isConnected) form.reset();
    });
  });

  document.addEventListener("click", (event) => {
    const link = event.target.closest?.("a[data-in]");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    send(link, link.href, { method: "GET" });
  });

  // Live (moot/web/live.py): the body's data-live names this page's event stream. New
  // comments go at the top of their parent's replies (#k0: the post's), as the page's own
  // comment form puts them; the inbox link is replaced by its new version. A hidden tab
  // lets go of its stream (browsers allow few connections to one site) and, shown again,
  // asks for what it missed.
  function live() {
    const url = document.body.dataset.live;
    if (!url || !window.EventSource) return;
    let stream = null;
    let after = null;
    const html = (text) => {
      const template = document.createElement("template");
      template.innerHTML = text.trim();
      return template.content;
    };
    const open = () => {
      const address = new URL(url, location.href);
      if (after) address.searchParams.set("after", after);
      stream = new EventSource(address);
      stream.addEventListener("comment", (event) => {
        after = event.lastEventId;
        const { parent, html: node } = JSON.parse(event.data);
        const replies = document.getElementById(`k${parent}`);
        if (replies && !document.getElementById(`c${after}`)) replies.prepend(html(node));
      });
      stream.addEventListener("inbox", (event) => {
        document.getElementById("inbox")?.replaceWith(html(event.data));
      });
    };
    document.addEventListener("visibilitychange", () => {
      if (document.hidden) {
        stream?.close();
        stream = null;
      } else if (!stream) open();
    });
    open();
  }
  live();
})();

// Writing (templates/_writing.html): a Markdown toolbar above each textarea[data-tools],
// custom emoji put in at the cursor, a live length count. Preview, or a chosen picture,
// sends the form plainly: the page comes back with the preview.
(() => {
  "use strict";
  // [before, after, text when none is selected, kind]: "line" marks each selected line;
  // "block" starts on a line of its own.
  const MARKS = {
    Bold: ["**", "**", "bold"],
    Italic: ["_", "_", "italic"],
    Link: ["[", "](https://)", "text"],
    Quote: ["> ", "", "quote", "line"],
    Code: ["`", "`", "code"],
    List: ["- ", "", "item", "line"],
    Spoiler: ["::: spoiler Spoiler\n", "\n:::", "hidden", "block"],
  };

  function ready(box) {
    count(box);
    if (box.previousElementSibling?.matches(".md-tools")) return;
    const bar = document.createElement("div");
    bar.className = "md-tools";
    bar.role = "toolbar";
    bar.ariaLabel = "Formatting";
    bar.setAttribute("aria-controls", box.id);
    for (const name in MARKS) bar.insertAdjacentHTML("beforeend", `<button type="button" data-md="${name}">${name}</button>`);
    box.before(bar);
  }

  function mark(box, name) {
    let [before, after, empty, kind] = MARKS[name];
    const { selectionStart: start, selectionEnd: end, value } = box;
    let chosen = value.slice(start, end) || empty;
    if (name === "Code" && chosen.includes("\n")) [before, after] = ["```\n", "\n```"];
    if (kind === "line") [chosen, before] = [chosen.replace(/^/gm, before), ""];
    const lead = kind && start && value[start - 1] !== "\n" ? "\n" : "";
    put(box, lead + before + chosen + after);
    const from = start + lead.length + before.length;
    box.setSelectionRange(from, from + chosen.length);
  }

  function put(box, text) {
    box.setRangeText(text, box.selectionStart, box.selectionEnd, "end");
    box.focus();
    count(box);
  }

  function count(box) {
    const out = document.querySelector(`#${box.id}-limit .md-count`);
    if (out) out.textContent = ` ${box.value.length.toLocaleString()} used.`;
  }

  document.addEventListener("click", (event) => {
    const el = event.target.closest?.("[data-md], [data-emoji], .emoji-pick > summary");
    if (el?.dataset.md) mark(document.getElementById(el.parentElement.getAttribute("aria-controls")), el.dataset.md);
    else if (el?.dataset.emoji) put(document.getElementById(el.closest("details").dataset.for), el.dataset.emoji);
    else if (el) el.parentElement.querySelectorAll("[data-emoji]").forEach((b) => (b.disabled = false));
  });
  document.addEventListener("input", (event) => event.target.matches("[data-tools]") && count(event.target));
  // A box that came in place (a reply) is made ready when first reached.
  document.addEventListener("focusin", (event) => event.target.matches("[data-tools]") && ready(event.target));
  document.querySelectorAll("[data-tools]").forEach(ready);

  // Capturing, so the in-place sender never sees it: the browser sends the form itself.
  document.addEventListener("submit", (event) => {
    const files = [...event.target.querySelectorAll("input[type=file]")];
    if (event.submitter?.name === "preview" || files.some((f) => f.files.length)) event.stopPropagation();
  }, true);
})();
