"""A stand-in for neonize's ``NewAClient`` at its network edge, and neonize events built by hand.

No WhatsApp server can run here, so the client's Go core is what this replaces: each call
is recorded with the arguments neonize's own methods take (JID and Message protobufs,
neonize's enums), serialised as neonize would before handing them to Go, so a wrong type
fails here as it would there. Events come in through neonize's real ``Event`` registry and
its ``execute`` callback, the path the Go core drives, as serialised protobuf bytes.
"""

from __future__ import annotations

import ctypes
from typing import Any

from google.protobuf.message import Message as Protobuf
from neonize.aioze.events import Event
from neonize.events import EVENT_TO_INT
from neonize.proto.Neonize_pb2 import JID, MessageInfo, MessageSource, Receipt, SendResponse
from neonize.proto.Neonize_pb2 import Message as MessageEv
from neonize.proto.waCommon.WACommon_pb2 import MessageKey
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message, ReactionMessage
from neonize.utils.enum import ChatPresence, ChatPresenceMedia, ReceiptType

UUID = b"stand-in"
NO_JID = JID(User="", Server="", Device=0, RawAgent=0, Integrator=0, IsEmpty=True)
# The event's proto2 flags whatsmeow always sets (required fields).
_FLAGS = (
    "IsEphemeral",
    "IsViewOnce",
    "IsViewOnceV2",
    "IsViewOnceV2Extension",
    "IsDocumentWithCaption",
    "IsLottieSticker",
    "IsEdit",
)


def jid(address: str) -> JID:
    """A JID as neonize builds one: ``user@server``."""
    user, server = address.split("@")
    return JID(User=user, Server=server, Device=0, RawAgent=0, Integrator=0, IsEmpty=False)


def message_event(
    message_id: str,
    message: Message,
    *,
    sender: str = "15551230001@s.whatsapp.net",
    chat: str | None = None,
    sender_alt: str | None = None,
    from_me: bool = False,
    push_name: str = "Ada",
    timestamp: int = 1_760_000_000,
) -> MessageEv:
    """A neonize ``MessageEv`` as whatsmeow delivers it (a direct chat unless ``chat``)."""
    source = _source(sender, chat, sender_alt, from_me)
    info = MessageInfo(
        MessageSource=source,
        ID=message_id,
        ServerID=0,
        Type="text" if message.conversation else "media",
        Pushname=push_name,
        Timestamp=timestamp,
        Category="",
        Multicast=False,
        MediaType="",
        Edit="",
    )
    flags = dict.fromkeys(_FLAGS, False)
    return MessageEv(Info=info, Message=message, UnavailableRequestID="", RetryCount=0, **flags)


def receipt_event(
    message_ids: list[str], kind: int, *, sender: str, timestamp: int = 1_760_000_200
) -> Receipt:
    """A neonize ``ReceiptEv``: ``kind`` is its Type (1 delivered, 4 read, 5 read_self, …)."""
    source = _source(sender, None, None, False)
    return Receipt(MessageSource=source, MessageIDs=message_ids, Timestamp=timestamp, Type=kind)


def _source(sender: str, chat: str | None, sender_alt: str | None, from_me: bool) -> MessageSource:
    return MessageSource(
        Chat=jid(chat or sender),
        Sender=jid(sender),
        IsFromMe=from_me,
        IsGroup=(chat or "").endswith("@g.us"),
        SenderAlt=jid(sender_alt) if sender_alt else NO_JID,
        RecipientAlt=NO_JID,
        BroadcastListOwner=NO_JID,
    )


class NeonizeClientStandIn:
    """Records what would go to the Go core; answers as neonize does."""

    def __init__(self) -> None:
        self.uuid = UUID
        self.event = Event(self)  # type: ignore[arg-type]  # neonize's own registry
        self.connected = False
        self.me: Any = None
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.fail_with: Exception | None = None
        self._ids = 0

    def deliver(self, event: Protobuf) -> None:
        """Hand ``event`` to the registered handler as the Go core does: bytes + event code."""
        data = event.SerializeToString()
        buffer = ctypes.create_string_buffer(data, len(data))
        self.event.execute(0, ctypes.addressof(buffer), len(data), EVENT_TO_INT[type(event)])

    def named(self, name: str) -> list[dict[str, Any]]:
        return [args for call, args in self.calls if call == name]

    async def connect(self) -> None:
        self._record("connect")

    async def disconnect(self) -> None:
        self._record("disconnect")

    async def send_message(self, to: JID, message: Message) -> SendResponse:
        return self._sent("send_message", to=to, message=message)

    async def send_image(self, to: JID, file: str, caption: str | None = None) -> SendResponse:
        return self._sent("send_image", to=to, file=file, caption=caption)

    async def send_video(self, to: JID, file: str, caption: str | None = None) -> SendResponse:
        return self._sent("send_video", to=to, file=file, caption=caption)

    async def send_audio(self, to: JID, file: str) -> SendResponse:
        return self._sent("send_audio", to=to, file=file)

    async def send_document(
        self,
        to: JID,
        file: str,
        caption: str | None = None,
        filename: str | None = None,
        mimetype: str | None = None,
    ) -> SendResponse:
        args = {"file": file, "caption": caption, "filename": filename, "mimetype": mimetype}
        return self._sent("send_document", to=to, **args)

    async def send_chat_presence(
        self, jid: JID, state: ChatPresence, media: ChatPresenceMedia
    ) -> None:
        assert isinstance(state, ChatPresence) and isinstance(media, ChatPresenceMedia)
        self._record("send_chat_presence", jid=jid, state=state, media=media)

    async def mark_read(
        self, *message_ids: str, chat: JID, sender: JID, receipt: ReceiptType
    ) -> None:
        assert isinstance(receipt, ReceiptType)
        self._record("mark_read", ids=list(message_ids), chat=chat, sender=sender, receipt=receipt)

    async def build_reaction(
        self, chat: JID, sender: JID, message_id: str, reaction: str
    ) -> Message:
        self._record("build_reaction", chat=chat, sender=sender, id=message_id, emoji=reaction)
        key = MessageKey(remoteJID=f"{chat.User}@{chat.Server}", fromMe=False, ID=message_id)
        return Message(reactionMessage=ReactionMessage(key=key, text=reaction))

    async def download_any(self, message: Message) -> bytes:
        """What the CDN would give for ``message`` once decrypted with its ``mediaKey``."""
        assert isinstance(message, Message)
        self._record("download_any", message=message)
        media = message.imageMessage or message.documentMessage
        return b"decrypted:" + media.mediaKey

    def _record(self, name: str, **args: Any) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        for value in args.values():
            if isinstance(value, Protobuf):
                value.SerializeToString()  # what neonize does before the Go call
        self.calls.append((name, args))

    def _sent(self, name: str, *, to: JID, **args: Any) -> SendResponse:
        assert isinstance(to, JID), f"{name} takes a JID, got {type(to).__name__}"
        self._record(name, to=to, **args)
        self._ids += 1
        return SendResponse(ID=f"3EB0{self._ids:016X}", Timestamp=1_760_000_100, Chat=to)
