/**
 * On a phone the members list is a drawer over the conversation. Closed, it is `inert` as well
 * as moved off-screen: moved alone, its buttons stayed in the Tab order and in a screen
 * reader's reach while out of sight. Escape closes it and gives focus back to its toggle. On a
 * wide screen it is a column beside the conversation, always there.
 */
export function membersDrawer(toggle: HTMLButtonElement, panel: HTMLElement): void {
  const narrow = window.matchMedia("(max-width: 700px)");
  const show = (open: boolean) => {
    panel.classList.toggle("open", open);
    toggle.setAttribute("aria-expanded", String(open));
    panel.inert = narrow.matches && !open;
  };
  toggle.addEventListener("click", () => {
    const open = !panel.classList.contains("open");
    show(open);
    // The panel itself, not its first button: the list is redrawn as people come and go, and
    // focus on a button that is replaced would fall back to the page.
    if (open) panel.focus();
  });
  panel.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !panel.classList.contains("open")) return;
    show(false);
    toggle.focus();
  });
  panel.tabIndex = -1;
  narrow.addEventListener("change", () => show(panel.classList.contains("open")));
  show(false);
}
