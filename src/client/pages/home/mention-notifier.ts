import type { HomeRoom } from "../../../protocol";

/**
 * Desktop notifications for mentions and direct messages while the home page sits in a
 * background tab: only after the person opts in with the button (browsers refuse a prompt that
 * no click asked for), and only for a room whose mention count went up.
 */
export function mentionNotifier(button: HTMLButtonElement): (room: HomeRoom, before: HomeRoom | undefined) => void {
  const supported = typeof Notification !== "undefined";
  const show = () => {
    button.hidden = !supported || Notification.permission !== "default";
  };
  show();
  button.addEventListener("click", async () => {
    await Notification.requestPermission();
    show();
  });
  return (room, before) => {
    if (!supported || Notification.permission !== "granted" || document.visibilityState === "visible") return;
    if (room.mentions <= (before?.mentions ?? 0) || !room.last) return;
    const where = room.direct ? room.last.from.name : `${room.last.from.name} in ${room.title ?? `#${room.id}`}`;
    const notification = new Notification(where, { body: room.last.text, tag: `edge-chat:${room.id}` });
    notification.onclick = () => {
      window.focus();
      location.assign(`/r/${encodeURIComponent(room.id)}`);
    };
  };
}
