import NewIPDataPlane
import NewIPJSON
import NewIPTopology

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

    /// `POST /interfaces/shape?name=eth1&delay=20ms`: the emulated link's delay changes at run
    /// time, as `tc qdisc change … netem delay` changes a veth's, for experiments over the UDP
    /// underlay where the node itself is the link (`emulate-link: true`). Datagrams sent after
    /// the change take the new delay; the link's far end measures it with its probes as it
    /// would netem's. Shape both ends for a link slowed both ways.
    func shapeInterface(_ name: String?, delay text: String?) -> ControlResponse {
        let names = config.interfaces.map(\.name).joined(separator: ", ")
        guard let name, let index = config.interfaces.firstIndex(where: { $0.name == name }) else {
            return problem("give the interface: POST /interfaces/shape?name=NAME&delay=DURATION, one of \(names)")
        }
        guard let port = emulatingPort(index), let emulation = port.emulation else {
            return problem("interface \(name) does not emulate its link, so the node has no delay to change there: "
                           + "give it `emulate-link: true` in the node file (a UDP interface), or shape a device with `tc`")
        }
        guard let text else { return problem("give the new delay: POST /interfaces/shape?name=\(name)&delay=DURATION (e.g. 20ms)") }
        let delay: Nanoseconds
        do { delay = try Units.duration(text) } catch { return problem("delay: \(error)") }
        port.emulation!.delay = delay
        logger.notice("link delay changed", metadata: ["interface": "\(name)", "from": "\(UnitText.duration(emulation.delay))",
                                                       "to": "\(UnitText.duration(delay))"])
        return .json(.object([("interface", .string(name)), ("delay", .string(UnitText.duration(delay))),
                              ("previous", .string(UnitText.duration(emulation.delay)))]))
    }

    /// The interface's delay now: its emulated link's (which a shape request may have changed),
    /// else the node file's.
    func linkDelay(_ index: Int) -> Nanoseconds {
        emulatingPort(index)?.emulation?.delay ?? config.interfaces[index].delay
    }

    /// The UDP port that is interface `index`'s link (`emulate-link`), if the node emulates it.
    private func emulatingPort(_ index: Int) -> UDPLinkPort? {
        guard ports.indices.contains(index), let port = ports[index] as? UDPLinkPort, port.emulation != nil else { return nil }
        return port
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
