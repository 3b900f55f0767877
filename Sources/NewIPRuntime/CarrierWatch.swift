import NIOCore
import NewIPDataPlane

extension Node {
    /// How often the Ethernet devices' carrier is read: a link cut by `ip link set … down`
    /// reaches the routing protocol within this, far inside a hello hold time.
    static let carrierInterval = TimeAmount.milliseconds(20)

    /// Watches the carrier of every Ethernet interface (`EthernetLinkPort.hasCarrier`) on the
    /// node's loop, until the node stops. A device that loses it is a cut link: the routing
    /// protocol drops the neighbour there at once, as `POST /interfaces/down` makes it; the
    /// carrier's return takes the link back. Nothing to watch: no task.
    func startCarrierWatch() {
        let watched = ports.indices.compactMap { index in (ports[index] as? EthernetLinkPort).map { (index, $0) } }
        guard !watched.isEmpty else { return }
        loop.scheduleRepeatedTask(initialDelay: Self.carrierInterval, delay: Self.carrierInterval) { [self] task in
            guard !isStopping else { return task.cancel() }
            for (index, port) in watched {
                guard let carrier = port.hasCarrier(), carrier == noCarrier.contains(index) else { continue }
                if carrier { noCarrier.remove(index) } else { noCarrier.insert(index) }
                counters[index].carrierChanges &+= 1
                linkStateChanged(index, up: carrier, by: "carrier", stillDown: downLinks.contains(index), now: Self.now())
            }
        }
    }
}
