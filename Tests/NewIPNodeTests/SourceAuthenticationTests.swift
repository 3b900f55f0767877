import Crypto
import NewIPDataPlane
import NewIPNode
import NewIPSecurity
import NewIPTopology
import NewIPWire
import XCTest

/// A first-hop router checking sources, in virtual time: interface 0 faces the hosts, interface
/// 1 the rest of the network (never checked). The router's clock starts at `start` (Unix ns).
final class SourceAuthenticationTests: XCTestCase {
    let ms: Nanoseconds = 1_000_000
    let host = CompactAddress("0x05")!
    let server = CompactAddress("0x20")!
    let secret = FirstHopSecret(epoch: 3, key: SymmetricKey(data: [UInt8](repeating: 0x42, count: 16)))
    let start: UInt64 = 1_894_060_800 * 1_000_000_000

    let routerIdentity = try! DeviceIdentity(seed: [UInt8](repeating: 7, count: 32))

    func router(_ admission: SourceAuthentication.Admission, notices: Bool = false, verifier: SourceAuthVerifier? = nil) -> NodeCore {
        var table = ForwardingTable()
        table.insert(Route(nextHop: NextHop(interface: 1, neighbour: NeighbourID(rawValue: 1))), for: RoutePrefix(exactly: .compact(server)))
        table.insert(Route(nextHop: NextHop(interface: 0, neighbour: NeighbourID(rawValue: 2))), for: RoutePrefix(exactly: .compact(host)))
        let verifier = verifier ?? SourceAuthVerifier(secrets: [secret], window: 2_000 * UInt64(ms), now: start)
        return NodeCore(NodeCore.Setup(
            dialect: .compact, forwards: true, networks: [.newIP, .newIP], table: table,
            queues: [EgressQueue(QueueSpec()), EgressQueue(QueueSpec())], linkDelays: [ms, ms],
            ownAddresses: [.compact(CompactAddress("0x10")!)],
            sourceAuthentication: SourceAuthentication(admission: admission, verifier: verifier, firstHopInterfaces: [0],
                                                       clockOffset: start,
                                                       notices: notices ? RefusalNotices(identity: routerIdentity, rate: 10, burst: 3) : nil)))
    }

    /// A packet from `source` carrying an authenticator, sealed at `sentAt` (virtual time) with
    /// the source key the router's secret derives for `source` (what enrolment hands a host).
    func sealed(from source: CompactAddress, to destination: CompactAddress, sentAt: Nanoseconds, data: String = "21.5C",
                secret: FirstHopSecret? = nil) -> [UInt8] {
        let secret = secret ?? self.secret
        let auth = SourceAuthenticatorItem(epoch: secret.epoch, timestamp: 0).extensionItem
        let header = CompactHeader(ttl: 64, nextHeader: NextHeader(rawValue: 253), destination: destination, source: source,
                                   extensionLength: auth.count)
        var bytes = header.bytes(extensions: auth) + Array(data.utf8)
        let key = secret.sourceKey(for: .compact(source))
        try! bytes.withUnsafeMutableBytes {
            try SourceAuthSender.seal($0, dialect: .compact, key: key, timestamp: SourceTime.timestamp(now: start + UInt64(sentAt)))
        }
        return bytes
    }

    func plain(from source: CompactAddress, to destination: CompactAddress) -> [UInt8] {
        CompactHeader(ttl: 64, nextHeader: NextHeader(rawValue: 253), destination: destination, source: source).bytes() + Array("x".utf8)
    }

    func outcome(_ arrival: NodeCore.Arrival) -> String {
        switch arrival {
        case .queued(let egress): "queued on \(egress)"
        case .delivered: "delivered"
        case .dropped(let reason, _): reason.label
        }
    }

    func testRegisteredDomainForwardsOnlyProvenSources() {
        let core = router(.registered)
        let good = sealed(from: host, to: server, sentAt: 0)
        var tampered = good
        tampered[tampered.count - 1] ^= 0x01
        let results = [
            outcome(core.receive(PacketBuffer(bytes: good), on: 0, now: 5 * ms)),
            outcome(core.receive(PacketBuffer(bytes: good), on: 0, now: 6 * ms)),
            outcome(core.receive(PacketBuffer(bytes: tampered), on: 0, now: 7 * ms)),
            outcome(core.receive(PacketBuffer(bytes: plain(from: host, to: server)), on: 0, now: 8 * ms)),
            outcome(core.receive(PacketBuffer(bytes: sealed(from: host, to: server, sentAt: 0, data: "old")), on: 0, now: 2_500 * ms)),
            outcome(core.receive(PacketBuffer(bytes: plain(from: server, to: host)), on: 1, now: 9 * ms)),
        ]
        XCTAssertEqual(results, ["queued on 1", "replay", "bad-mac", "unauthenticated", "stale-timestamp", "queued on 0"],
                       "the interface that faces the network is not a first hop")
        XCTAssertEqual(core.sourceProofs, { var c = SourceProofCounters(); c.proven = 1; return c }())
        XCTAssertEqual(core.drops[.replay], 1)
        XCTAssertEqual(core.drops[.unauthenticated], 1)
    }

    /// A secret rotating every second (200 ms grace; `start` is a boundary): a host that keeps
    /// the old epoch's key is forwarded until the grace ends, then refused and counted as
    /// `stale-epoch`; with the new epoch's key it is forwarded again.
    func testARotatedAwayKeyIsForwardedWithinTheGraceThenRefusedAsStaleEpoch() {
        let epochs = KeyEpochs(master: secret.key, period: 1_000 * UInt64(ms), grace: 200 * UInt64(ms))
        let core = router(.registered, verifier: SourceAuthVerifier(rotating: epochs, window: 200 * UInt64(ms), now: start))
        let n = epochs.number(at: start)
        func send(epoch number: UInt64, at time: Nanoseconds) -> String {
            let packet = sealed(from: host, to: server, sentAt: time, data: "t\(time)", secret: epochs.secret(number: number))
            return outcome(core.receive(PacketBuffer(bytes: packet), on: 0, now: time))
        }
        XCTAssertEqual([send(epoch: n, at: 900 * ms), send(epoch: n, at: 1_100 * ms), send(epoch: n, at: 1_199 * ms),
                        send(epoch: n, at: 1_200 * ms), send(epoch: n + 1, at: 1_210 * ms), send(epoch: n - 1, at: 1_220 * ms)],
                       ["queued on 1", "queued on 1", "queued on 1", "stale-epoch", "queued on 1", "stale-epoch"])
        XCTAssertEqual(core.drops[.staleEpoch], 2)
        XCTAssertEqual(core.sourceProofs.proven, 4)
    }

    func testOpenDomainForwardsUnprovenSourcesButNeverForgedOnes() {
        let core = router(.open)
        var forged = sealed(from: host, to: server, sentAt: 0)
        forged[forged.count - 1] ^= 0x01
        let results = [
            outcome(core.receive(PacketBuffer(bytes: plain(from: host, to: server)), on: 0, now: ms)),
            outcome(core.receive(PacketBuffer(bytes: sealed(from: host, to: server, sentAt: ms)), on: 0, now: 2 * ms)),
            outcome(core.receive(PacketBuffer(bytes: forged), on: 0, now: 3 * ms)),
        ]
        XCTAssertEqual(results, ["queued on 1", "queued on 1", "bad-mac"])
        XCTAssertEqual(core.sourceProofs.proven, 1)
        XCTAssertEqual(core.sourceProofs.unproven, 1)
    }

    func testARevokedSourceIsRefusedFromTheNextPacketOnEvenWithAValidMAC() {
        let core = router(.registered)
        XCTAssertEqual(outcome(core.receive(PacketBuffer(bytes: sealed(from: host, to: server, sentAt: ms)), on: 0, now: ms)), "queued on 1")
        XCTAssertTrue(core.revoke(.compact(host)))
        XCTAssertFalse(core.revoke(.compact(host)), "already revoked")
        XCTAssertEqual(outcome(core.receive(PacketBuffer(bytes: sealed(from: host, to: server, sentAt: 2 * ms)), on: 0, now: 2 * ms)), "revoked")
        XCTAssertEqual(core.drops[.revoked], 1)
    }

    /// The refused source hears why, signed: the notice goes back out of the interface the packet
    /// came in on, names the reason and the packet, and verifies with the router's public key.
    func testARefusedSourceGetsASignedNoticeAtMostAsOftenAsTheBucketAllows() throws {
        let core = router(.registered, notices: true)
        let refused = plain(from: host, to: server)
        XCTAssertEqual(outcome(core.receive(PacketBuffer(bytes: refused), on: 0, now: ms)), "unauthenticated")
        var notices: [[UInt8]] = []
        core.poll(now: ms, newBuffer: { PacketBuffer(capacity: 2048, headroom: 64) }) { arrival in
            guard case .queued(0) = arrival else { return XCTFail("notice not queued towards the host: \(arrival)") }
        }
        while let packet = core.transmit(on: 0, now: ms, discarded: { _, _ in }) { notices.append(packet.bytes) }
        XCTAssertEqual(notices.count, 1)
        let packet = try XCTUnwrap(notices.first.flatMap { bytes in bytes.withUnsafeBytes { ParsedPacket($0, dialect: .compact) } })
        XCTAssertEqual(packet.destination, .compact(host))
        XCTAssertEqual(packet.source, .compact(CompactAddress("0x10")!))
        let notice = try XCTUnwrap(RefusalNotice(packet.payload))
        XCTAssertEqual(notice.reason, .unauthenticated)
        XCTAssertTrue(notice.refers(to: refused))
        XCTAssertEqual(notice.time, start + UInt64(ms))
        XCTAssertTrue(notice.verify(publicKey: routerIdentity.publicKey))
        var forged = notice
        forged.reason = .revoked
        XCTAssertFalse(forged.verify(publicKey: routerIdentity.publicKey), "the reason is signed")
        XCTAssertFalse(notice.verify(publicKey: try DeviceIdentity(seed: [UInt8](repeating: 8, count: 32)).publicKey))
        // A flood: the bucket (3 at once, 10 a second) bounds the notices; the drops are all counted.
        for i in 0..<10 { _ = core.receive(PacketBuffer(bytes: plain(from: host, to: server)), on: 0, now: 2 * ms + Nanoseconds(i)) }
        XCTAssertEqual(core.answered.refusalNotices, 3)
        XCTAssertEqual(core.sourceAuthentication?.notices?.suppressed, 8)
        _ = core.receive(PacketBuffer(bytes: plain(from: host, to: server)), on: 0, now: 102 * ms)
        XCTAssertEqual(core.answered.refusalNotices, 4, "one token back after 100 ms")
        XCTAssertEqual(core.drops[.unauthenticated], 12)
    }

    func testAnEpochTheRouterDoesNotHoldIsRefused() {
        let core = router(.registered)
        var other = sealed(from: host, to: server, sentAt: 0)
        // The authenticator's epoch byte (item type, length, then the epoch).
        let epochAt = other.withUnsafeBytes { try! CompactHeaderView($0).extensionRange.lowerBound } + 2
        XCTAssertEqual(other[epochAt], secret.epoch)
        other[epochAt] = 9
        XCTAssertEqual(outcome(core.receive(PacketBuffer(bytes: other), on: 0, now: ms)), "unknown-epoch")
    }
}
