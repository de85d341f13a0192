import { CloseCode } from "../../protocol";
import type { LongPolls } from "../connections/long-polls";
import { sendError } from "../connections/outgoing-frames";
import type { RoomSockets } from "../connections/room-sockets";
import type { RoomHome } from "../home/room-home";
import type { RoomRecord } from "./room-record";

/**
 * The end of someone's presence once their membership ended (removal, ban, leaving, or a hub
 * that refused a newcomer after the fact): their sockets here and on every shard close with
 * 4003, saying why first if told, their long-polls end refused, and the room leaves their home.
 */
export class MemberExit {
  constructor(
    private readonly sockets: Pick<RoomSockets, "of" | "disconnect">,
    private readonly polls: LongPolls,
    private readonly room: RoomRecord,
    private readonly home: RoomHome,
  ) {}

  async shut(userId: string, reason: string, notice?: string): Promise<void> {
    for (const ws of this.sockets.of(userId)) {
      if (notice) sendError(ws, { code: "forbidden", message: notice });
      ws.close(CloseCode.Forbidden, reason);
      this.sockets.disconnect(ws);
    }
    this.polls.wake([userId]);
    const room = this.room.get();
    if (room) await this.home.left(userId, room.id);
  }
}
