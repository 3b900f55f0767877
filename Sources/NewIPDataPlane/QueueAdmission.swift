/// The limits every queue applies to an arriving packet, in one place: the packet limit, then
/// the byte limit, making room by qualitative trimming first when the queue allows it.
enum QueueAdmission {
    /// Whether `packet` may join `store`, which holds `queued` packets; on admission
    /// `byteCount` includes it (and no longer what trimming cut), on refusal the drop is
    /// counted as `queueFull`.
    @inline(__always)
    static func admit<Store: TrimmableStore>(_ packet: inout PacketBuffer, queued: Int, into store: inout Store,
                                             limits: QueueLimits, trims: Bool, byteCount: inout Int,
                                             drops: inout DropCounters, trimming: inout TrimmingCounters) -> Bool {
        if let limit = limits.packets, queued >= limit {
            drops.record(.queueFull)
            return false
        }
        if let limit = limits.bytes, byteCount + packet.count > limit {
            let needed = byteCount + packet.count - limit
            guard trims, let freed = QualitativeTrimming.makeRoom(needed, arriving: &packet, queued: &store,
                                                                   counters: &trimming) else {
                drops.record(.queueFull)
                return false
            }
            byteCount -= freed
        }
        byteCount += packet.count
        return true
    }
}
