import NewIPControl
import NewIPDataPlane
import NewIPTopology
import NewIPWire

extension DelayVectorRouting.Configuration {
    /// Takes the damping settings written (a topology's or a node file's `routing:`); the
    /// protocol's defaults stay where none is.
    public mutating func apply(_ damping: RoutingDamping) {
        if let hysteresis = damping.hysteresis { settleTime = hysteresis }
        if let retain = damping.smoothingRetain { smoothingRetain = retain }
        if let step = damping.maxDelayStep { maxDelayStep = step }
        if let hold = damping.routeHold { switchHoldTime = hold }
    }
}

// What a driver of the routing protocol (`DelayVectorRouting`) does with the node core, the
// same in the emulator (virtual time) and on real nodes (the monotonic clock): its datagrams
// are real packets, UDP to port 6696 with hop limit 1 from the interface's address to the
// neighbour's, and the routes and link delays it decides go into the core's table.
extension NodeCore {
    /// Where the routing datagram is in a packet delivered to the node (UDP to port 6696, not
    /// a control packet); `nil` when the packet is not one.
    public static func routingDatagram(in bytes: UnsafeRawBufferPointer, dialect: PacketDialect) -> Range<Int>? {
        guard let view = try? NewIPPacketView(bytes, dialect: dialect), !view.isControl, let udp = UDPDatagramView(view),
              udp.header.destinationPort == RoutingPacket.port else { return nil }
        return udp.data
    }

    /// The packet carrying a routing datagram from `source` (the interface's address) to the
    /// neighbour at `destination`, for `send(_:onLink:now:)`; `nil` when it cannot be built.
    public static func routingPacket(_ datagram: [UInt8], from source: FrameworkAddress, to destination: FrameworkAddress,
                                     dialect: PacketDialect) -> [UInt8]? {
        PacketBuilder.udp(dialect: dialect, source: source, sourcePort: RoutingPacket.port, destination: destination,
                          destinationPort: RoutingPacket.port, ttl: 1, clauses: [], data: datagram)
    }

    /// Installs the forwarding routes `routing` changed since it was last asked, and charges the
    /// link delays it measured to contracts (latency-based forwarding) in place of the
    /// configured ones; the changes, in order.
    public func follow(_ routing: inout DelayVectorRouting) -> [RouteChange] {
        let changes = routing.takeRouteChanges()
        for change in changes {
            if let route = change.new { insert(route, for: change.prefix) } else { remove(change.prefix) }
        }
        for (neighbour, delay) in routing.linkDelays where router.linkDelays[neighbour.interface] != delay {
            setLinkDelay(delay, on: neighbour.interface)
        }
        return changes
    }
}
