import type { HomeRoom } from "../../../protocol";
import type { ChatApi } from "../../api";
import { reportingIn } from "../failure-text";
import type { RoomListActions } from "./room-list";

/**
 * Leaving and blocking from the home page, each after the person confirms. The list itself
 * changes when the hub says so (`room_left` on the home socket), on every device at once; a
 * refusal is shown in `error`, in the server's words.
 */
export function roomActions(api: () => ChatApi, error: HTMLElement, blocked: () => void): RoomListActions {
  const attempt = reportingIn(error);
  return {
    leave(room: HomeRoom) {
      const name = room.title ?? `#${room.id}`;
      if (room.direct) {
        if (confirm(`Leave your conversation with ${name}? It comes back if you open it again or, unless you chose otherwise, when they write.`)) {
          void attempt(() => api().hideConversation(room.id));
        }
        return;
      }
      const warning = room.visibility === "private" ? " It is private: you will need a new invite to come back." : "";
      if (confirm(`Leave ${name}?${warning}`)) void attempt(() => api().leaveRoom(room.id));
    },
    block(room: HomeRoom) {
      const other = room.other;
      if (!other) return;
      const question = `Block ${other.name}? They can no longer write to you directly, mention you, or start a conversation with you, and this conversation leaves your list.`;
      if (!confirm(question)) return;
      void attempt(async () => {
        await api().block(other.id, other.name);
        await api().hideConversation(room.id);
        blocked();
      });
    },
  };
}
