import Foundation
import NewIPJSON
import NewIPRuntime
import NewIPTopology
import NewIPWire
import XCTest

/// A node with `auth-token:`: its control endpoint answers 401 without the token (but serves
/// `GET /metrics`), its application port refuses messages without it with a status the sender
/// reads, and applications send only from the node's own addresses (`foreign-source`).
final class NodeAuthTests: NodeProcessTestCase {
    override func tearDownWithError() throws {
        NodeAuth.token = nil
        try super.tearDownWithError()
    }

    func testControlAndApplicationPortRequireTheTokenAndApplicationsSendFromOwnAddressesOnly() throws {
        let tokenPath = folder.appendingPathComponent("token").path
        let token = try NodeAuth.create(at: tokenPath)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: tokenPath)[.posixPermissions] as? Int, 0o600)
        var (h1, r1, h2) = chainConfigs()
        h1.authToken = tokenPath
        r1.authToken = tokenPath
        h2.authToken = tokenPath
        NodeAuth.token = token
        for config in [r1, h2, h1] { try startNode(config) }

        // Control: no header, a wrong token, another scheme: 401 with the reason; the token: 200.
        let none = try ControlClient.request("GET", h1.control, "/status", token: nil)
        XCTAssertEqual(none.status, 401)
        XCTAssertTrue(none.errorMessage.contains("unauthorized: no Authorization header"), none.body)
        let wrong = try ControlClient.request("POST", h1.control, "/routes", body: #"{"prefix": "0x05", "via": "eth0"}"#,
                                              token: String(repeating: "0", count: 64))
        XCTAssertEqual(wrong.status, 401)
        XCTAssertTrue(wrong.errorMessage.contains("wrong token"), wrong.body)
        XCTAssertEqual(try ControlClient.request("GET", h1.control, "/status").status, 200)
        XCTAssertFalse(try ControlClient.request("GET", h1.control, "/routes").body.contains("0x05"), "the refused route was not added")
        // Metrics stay open to scrapers.
        XCTAssertEqual(try ControlClient.request("GET", h1.control, "/metrics", token: nil).status, 200)

        // Application port: the old messages (no token) are refused with a status the sender reads.
        let h1App = h1.app!
        let refused = try runBlocking { () -> String in
            do {
                _ = try await NodeConnection.connect(node: h1App, token: nil)
                return "bound"
            } catch { return "\(error)" }
        }
        XCTAssertTrue(refused.contains("requires its token"), refused)
        let wrongToken = try runBlocking { () -> String in
            do {
                _ = try await NodeConnection.connect(node: h1App, token: "nope")
                return "bound"
            } catch { return "\(error)" }
        }
        XCTAssertTrue(wrongToken.contains("refused the token"), wrongToken)

        // With the token: h1's own source is delivered; a foreign source is refused and counted.
        let (fromApp, toApp) = (h1.app!, h2.app!)
        let delivered = try runBlocking { () -> Int in
            let listener = try await NewIPDatagramSocket.bind(node: toApp, port: 5000)
            let honest = try await NewIPDatagramSocket.bind(node: fromApp, port: 0)
            let spoofing = try await NewIPDatagramSocket.bind(node: fromApp, address: compact("0x09"), port: 0)
            for _ in 0..<3 { try spoofing.send(Array("spoofed".utf8), to: compact("0x02"), port: 5000) }
            for _ in 0..<2 { try honest.send(Array("honest".utf8), to: compact("0x02"), port: 5000) }
            let collector = Task { () -> Int in
                var count = 0
                for await datagram in listener.datagrams {
                    XCTAssertEqual(datagram.source, compact("0x01"))
                    count += 1
                    if count == 2 { break }
                }
                return count
            }
            let timeout = Task {
                try await Task.sleep(nanoseconds: 2_000_000_000)
                collector.cancel()
            }
            let count = await collector.value
            timeout.cancel()
            for socket in [honest, spoofing] { await socket.close() }
            await listener.close()
            return count
        }
        XCTAssertEqual(delivered, 2)
        try waitFor {
            let counters = try ControlClient.request("GET", h1.control, "/counters").value()
            return counters["interfaces"]?["app"]?["drops"]?["foreign-source"]?.intValue == 3
        }
        let security = try ControlClient.request("GET", h1.control, "/security").value()
        XCTAssertEqual(security["auth"]?["token_required"]?.boolValue, true)
        XCTAssertEqual(security["auth"]?["control_refused"]?.intValue, 2)
        XCTAssertEqual(security["auth"]?["app_refused"]?.intValue, 2)
        // r1 forwarded only the honest packets.
        let r1Counters = try ControlClient.request("GET", r1.control, "/counters").value()
        XCTAssertEqual(r1Counters["interfaces"]?["eth1"]?["tx_packets"]?.intValue, 2)
    }

    /// A token file that others may read is refused at start, with the fix.
    func testATokenFileReadableByOthersIsRefused() throws {
        let tokenPath = folder.appendingPathComponent("token").path
        try NodeAuth.create(at: tokenPath)
        chmod(tokenPath, 0o644)
        var (h1, _, _) = chainConfigs()
        h1.authToken = tokenPath
        XCTAssertThrowsError(try startNode(h1)) { error in
            XCTAssertTrue("\(error)".contains("chmod 600"), "\(error)")
        }
    }
}
