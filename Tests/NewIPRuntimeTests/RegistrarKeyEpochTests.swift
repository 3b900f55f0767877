import Crypto
import Foundation
import NIOHTTP1
import NewIPJSON
@testable import NewIPRuntime
import NewIPSecurity
import NewIPTopology
import NewIPWire
import XCTest

/// A registrar of a self-certifying domain whose secret rotates, answering in process (no
/// sockets): token-free enrolment of a key that owns its address, and each epoch's source key
/// for the enrolled key (`POST /source-key`).
final class RegistrarKeyEpochTests: XCTestCase {
    let period: UInt64 = 1_000_000_000
    /// 2030-01-07 00:00:00.250 UTC.
    let now: UInt64 = 1_894_060_800 * 1_000_000_000 + 250_000_000
    var folder: String!

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "registrar-key-epoch-\(getpid())-\(UUID().uuidString)"
        _ = try RegistrarFolder.create(directory: folder, domain: "commons.example", tokens: 0, selfCertifying: 16, keyEpoch: period)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    func epochs() throws -> KeyEpochs {
        KeyEpochs(master: try FirstHopSecretFile.read("\(folder!)/\(RegistrarFolder.secretFile)").key, period: period, grace: 0)
    }

    func post(_ registrar: Registrar, _ path: String, _ body: String, client: String = "a") -> (Int, JSONValue) {
        let response = registrar.handle(method: .POST, uri: path, body: body, client: client, now: now)
        return (Int(response.status.code), response.body)
    }

    func sourceKeyRequest(_ identity: DeviceIdentity, address: FrameworkAddress, epoch: UInt64) -> String {
        let request = JSONValue.object([("address", .string(address.description)), ("epoch", .unsigned(epoch)),
                                        ("time", .unsigned(now / 1_000_000_000))]).serialized
        let signature = identity.sign(RegistrarMessages.sourceKeyContext + Array(request.utf8))
        return JSONValue.object([("request", .string(request)), ("signature", .string(hex(signature)))]).serialized
    }

    func testAKeyThatOwnsItsAddressEnrolsWithoutATokenAndRenewsEachEpoch() throws {
        let registrar = try Registrar(directory: folder)
        let identity = DeviceIdentity.generate()
        let (address, _) = try XCTUnwrap(SelfCertifyingAddress.generate(prefix: FrameworkAddress("0xFE01000000000001")!, prefixLength: 16,
                                                                        publicKey: identity.publicKey))
        let (status, granted) = post(registrar, "/enrol", EnrolmentClient.requestBody(identity: identity, address: address, token: "", now: now))
        XCTAssertEqual(status, 200, granted.serialized)
        let epochs = try epochs()
        let current = epochs.number(at: now)
        XCTAssertEqual(granted["epoch"]?.intValue, Int(KeyEpochs.index(of: current)))
        XCTAssertEqual(granted["source_key"]?.stringValue, hex(epochs.secret(number: current).sourceKey(for: address).bytes))

        // Another address under the prefix is not this key's: refused, token or not.
        let other = FrameworkAddress("0xFE01000000000002")!
        let (refusedStatus, refused) = post(registrar, "/enrol", EnrolmentClient.requestBody(identity: identity, address: other, token: "", now: now))
        XCTAssertEqual(refusedStatus, 403)
        XCTAssertEqual(refused["refused"]?.stringValue, "not-self-certifying")

        // The next epoch's key, asked for with the enrolled key; nothing beyond it.
        let (nextStatus, next) = post(registrar, "/source-key", sourceKeyRequest(identity, address: address, epoch: current + 1))
        XCTAssertEqual(nextStatus, 200, next.serialized)
        XCTAssertEqual(next["source_key"]?.stringValue, hex(epochs.secret(number: current + 1).sourceKey(for: address).bytes))
        XCTAssertEqual(next["epoch"]?.intValue, Int(KeyEpochs.index(of: current + 1)))
        XCTAssertEqual(next["from_unix_ns"]?.unsignedValue, (current + 1) * period)
        XCTAssertEqual(post(registrar, "/source-key", sourceKeyRequest(identity, address: address, epoch: current + 2)).1["refused"]?.stringValue,
                       "epoch-out-of-range")
        XCTAssertEqual(post(registrar, "/source-key", sourceKeyRequest(identity, address: address, epoch: current - 1)).1["refused"]?.stringValue,
                       "epoch-out-of-range")
        // Someone else's signature, or an address nobody enrolled.
        XCTAssertEqual(post(registrar, "/source-key", sourceKeyRequest(DeviceIdentity.generate(), address: address, epoch: current)).1["refused"]?.stringValue,
                       "bad-signature")
        XCTAssertEqual(post(registrar, "/source-key", sourceKeyRequest(identity, address: other, epoch: current)).1["refused"]?.stringValue,
                       "not-enrolled")
        XCTAssertEqual(post(registrar, "/source-key", "{}").0, 400)
        let answer = registrar.handle(method: .GET, uri: "/status", body: "", client: "a", now: now).body
        XCTAssertEqual(answer["self_certifying"]?.intValue, 16)
        XCTAssertEqual(answer["key_epoch_ns"]?.unsignedValue, period)
        XCTAssertEqual(answer["refused"]?["epoch-out-of-range"]?.intValue, 2)
    }

    func testARegistrarWithoutEpochsServesNoSourceKeys() throws {
        let plain = NSTemporaryDirectory() + "registrar-plain-\(getpid())-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: plain) }
        _ = try RegistrarFolder.create(directory: plain, domain: "campus.example", tokens: 1)
        let registrar = try Registrar(directory: plain)
        XCTAssertEqual(post(registrar, "/source-key", "{}").1["refused"]?.stringValue, "no-key-epochs")
    }

    /// Node files: a rotating, self-certifying first hop and a renewing host read back equal;
    /// their mistakes are named.
    func testNodeFileSettingsRoundTripAndTheirMistakesAreNamed() throws {
        func problems(_ yaml: String) -> String {
            do { _ = try NodeConfig.parse(yaml: yaml, file: "n.yaml") } catch { return "\(error)" }
            return ""
        }
        var router = NodeConfig(name: "r1", interfaces: [
            .init(name: "eth0", address: compact("0x10"), link: .udp(local: .loopback(7001), peer: .loopback(7002))),
        ], control: .loopback(7100))
        router.security = NodeConfig.Security(admission: .open, firstHop: ["eth0"], secret: "domain.secret", window: 500_000_000)
        router.security?.selfCertifying = 16
        router.security?.keyEpoch = 3_600_000_000_000
        XCTAssertTrue(router.yaml.contains("  self-certifying: 16\n") && router.yaml.contains("  key-epoch: 3600s\n"), router.yaml)
        XCTAssertEqual(try NodeConfig.parse(yaml: router.yaml), router)
        // A border of the domain proves its members' packets under the same rotation.
        var border = router
        border.border = NodeConfig.Border(domain: "campus", domains: [.init(name: "campus", members: [compact("0x21")])],
                                          secret: "domain.secret", window: 200_000_000, policy: [])
        border.border?.keyEpoch = 1_000_000_000
        XCTAssertTrue(border.yaml.contains("  key-epoch: 1s\n"), border.yaml)
        XCTAssertEqual(try NodeConfig.parse(yaml: border.yaml), border)
        XCTAssertTrue(problems(border.yaml.replacingOccurrences(of: "  key-epoch: 1s\n", with: "  key-epoch: 300ms\n"))
            .contains("key-epoch 300ms is shorter than twice the window (200ms)"))
        var host = NodeConfig(name: "h1", role: .host, interfaces: router.interfaces, control: .loopback(7100))
        host.security = NodeConfig.Security(registrar: .loopback(7400), enrolment: "h1.enrolment")
        host.security?.identity = "h1.key"
        host.security?.keyEpoch = 3_600_000_000_000
        host.security?.selfCertifying = 16
        XCTAssertEqual(try NodeConfig.parse(yaml: host.yaml), host)

        XCTAssertTrue(problems(router.yaml.replacingOccurrences(of: "admission: open", with: "admission: registered"))
            .contains("self-certifying addresses are the open mode's"))
        XCTAssertTrue(problems(router.yaml.replacingOccurrences(of: "key-epoch: 3600s", with: "key-epoch: 600ms"))
            .contains("key-epoch 600ms is shorter than twice the window (500ms)"))
        XCTAssertTrue(problems(host.yaml.replacingOccurrences(of: "  identity: \"h1.key\"\n", with: ""))
            .contains("a host renews its source key each `key-epoch` with its `identity` key at its `registrar`, for its `enrolment`: all four are needed"))
    }
}
