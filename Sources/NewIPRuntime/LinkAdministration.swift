import NewIPDataPlane
import NewIPJSON

extension Node {
    /// `POST /interfaces/down?name=eth1` and `…/up`: the interface's link is cut (or mended)
    /// as `ip link set … down` cuts a veth pair, for experiments over the UDP underlay, where
    /// no carrier is lost when a process stays up. While down, what arrives there and what
    /// would leave is dropped (`fault-injected`, the emulator's fault drops), and the routing
    /// protocol hears at once that the link went (`interfaceDown`) or came back, as a real
    /// interface's carrier loss tells it; cut both ends for a link cut both ways.
    func setInterface(_ name: String?, up: Bool, now: Nanoseconds) -> ControlResponse {
        let names = config.interfaces.map(\.name).joined(separator: ", ")
        guard let name, let index = config.interfaces.firstIndex(where: { $0.name == name }) else {
            return problem("give the interface: POST /interfaces/\(up ? "up" : "down")?name=NAME, one of \(names)")
        }
        let changed = up ? downLinks.remove(index) != nil : downLinks.insert(index).inserted
        if changed { linkStateChanged(index, up: up, by: "control request", stillDown: noCarrier.contains(index), now: now) }
        return .json(.object([("interface", .string(name)), ("up", .bool(up)), ("changed", .bool(changed))]))
    }

    /// An interface's link went (or came back), by request or with its device's carrier:
    /// logged, and the routing protocol drops the neighbours there at once (`interfaceDown`,
    /// counted in its `neighbours_lost`) or greets them again. `stillDown`: the other cause
    /// keeps the link down (a request while the carrier is gone, or the reverse), so the
    /// protocol has nothing new to hear.
    func linkStateChanged(_ index: Int, up: Bool, by cause: String, stillDown: Bool, now: Nanoseconds) {
        logger.notice("interface \(up ? "up" : "down")", metadata: ["interface": "\(interfaceName(index))", "by": "\(cause)"])
        guard let routing, !stillDown else { return }
        if up { routing.core.interfaceUp(index, now: now) } else { routing.core.interfaceDown(index, now: now) }
        serviceRouting(now: now)
    }

    /// A packet meets a cut link (in either direction): dropped and counted.
    func linkCut(_ index: Int, _ bytes: UnsafeRawBufferPointer) {
        counters[index].drops.record(.faultInjected)
        attributeToFlow(bytes, .faultInjected)
    }
}
