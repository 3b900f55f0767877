// libFuzzer target: the routing protocol's datagram (NewIPControl), which every node reads from
// its neighbours before knowing whether they hold the link's key.
//
// Built into the NewIPControl module itself (see Fuzz/run.sh), using only the public API.
//
// Each input is fed to:
// - `RoutingPacketView` and `RoutingPacket(parsing:)`: a refusal's offset lies within the input;
//   the value refuses whatever the view refuses; an accepted packet's encoding parses back to an
//   equal packet (unknown messages, which the decoder skips, aside);
// - two routers (one whose link has a key, one without) at a fixed time, then their timers:
//   whatever the bytes, they count and drop or take them, and never trap.

import NewIPDataPlane
import NewIPWire

nonisolated(unsafe) var routingFuzzSink = 0

@_cdecl("LLVMFuzzerTestOneInput")
public func routingPacketFuzz(_ bytes: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: bytes, count: size)
    var viewError: WireError?
    do throws(WireError) { _ = try RoutingPacketView(input) } catch { viewError = error }
    do throws(WireError) {
        let packet = try RoutingPacket(parsing: input)
        precondition(viewError == nil, "the view refused what the value accepted: \(viewError!)")
        if packet.skippedMessages == 0 {
            let again = packet.encoded.withUnsafeBytes { try? RoutingPacket(parsing: $0) }
            precondition(again == packet, "round trip changed \(packet) into \(String(describing: again))")
        }
        routingFuzzSink &+= packet.messages.count
    } catch {
        precondition((0...size).contains(error.offset), "offset \(error.offset) outside the \(size)-byte input: \(error)")
        routingFuzzSink &+= error.description.utf8.count
    }
    for key in [LinkKey([1, 2, 3]), nil] {
        var router = DelayVectorRouting(.init(routerID: 1, interfaces: [.init(key: key)], prefixes: [.eightBit(1)]), now: 0)
        router.receive(input, on: 0, now: 1_000_000, timestamp: 999_000)
        let sent = router.poll(now: 1_000_000)
        routingFuzzSink &+= sent.count + router.takeRouteChanges().count + router.statistics.malformed
        _ = router.poll(now: max(router.nextDeadline, 1_000_000))
    }
    return 0
}
