// libFuzzer target: the routing protocol's datagram (NewIPControl), which every node reads from
// its neighbours before knowing whether they hold the link's key.
//
// A module of its own importing NewIPControl (see Fuzz/run.sh), using only the public API.
//
// Each input is fed to:
// - `RoutingPacketView` and `RoutingPacket(parsing:)`: a refusal's offset lies within the input;
//   the value refuses whatever the view refuses; an accepted packet's encoding parses back to an
//   equal packet (unknown messages, which the decoder skips, aside);
// - three routers (one whose link has a key, one without, one in signature mode trusting the
//   registrar of the seeds' certificate and self-certifying addresses alike) at a fixed time,
//   then their timers: whatever the bytes, they count and drop or take them, and never trap.

import NewIPControl
import NewIPDataPlane
import NewIPSecurity
import NewIPWire

nonisolated(unsafe) var routingFuzzSink = 0

/// Signature mode: this router's identity and whom it trusts (the registrar 0xEE…EE of
/// seeds/routing/with-signature-certificate, or any self-certifying address).
let routingFuzzSigning: [RoutingSigning] = {
    let registrar = try! DeviceIdentity(seed: Array(repeating: 0xEE, count: 32))
    let own = try! DeviceIdentity(seed: Array(repeating: 2, count: 32))
    let credential = RouterCredential.selfCertifying(address: .compact(CompactAddress("0xDE00")!), prefixLength: 8, modifier: 0)
    return [RoutingTrust.registrar(publicKey: registrar.publicKey, domain: "routers.example"), .selfCertifying].map {
        RoutingSigning(identity: RouterIdentity(identity: own, credential: credential), trust: $0, unixTimeAtZero: 0)
    }
}()

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
    let keys: [(LinkKey?, RoutingSigning?)] = [(LinkKey([1, 2, 3]), nil), (nil, nil)] + routingFuzzSigning.map { (nil, $0) }
    for (key, signing) in keys {
        var configuration = DelayVectorRouting.Configuration(routerID: 1, interfaces: [.init(key: key)], prefixes: [.eightBit(1)])
        configuration.signing = signing
        var router = DelayVectorRouting(configuration, now: 0)
        router.receive(input, on: 0, now: 1_000_000, timestamp: 999_000)
        let sent = router.poll(now: 1_000_000)
        routingFuzzSink &+= sent.count + router.takeRouteChanges().count + router.statistics.malformed
        _ = router.poll(now: max(router.nextDeadline, 1_000_000))
    }
    return 0
}
