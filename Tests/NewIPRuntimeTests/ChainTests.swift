import Foundation
import NewIPDataPlane
import NewIPJSON
import NewIPNode
import NewIPRuntime
import NewIPWire
import XCTest

/// Three real node processes in a chain over UDP on loopback.
final class ChainTests: NodeProcessTestCase {
    func testPingCrossesTheChainAndReportsHopsAndExperiencedDelay() throws {
        let (h1, r1, h2) = chainConfigs()
        for config in [h1, r1, h2] { try startNode(config) }
        let app = h1.app!
        let answers = try runBlocking {
            let pinger = try await Pinger.connect(node: app)
            let answers = try await pinger.run(destination: compact("0x02"),
                                               probes: (1...3).map { (UInt16($0), PacketBuilder.defaultTTL) },
                                               interval: 20_000_000, timeout: 2_000_000_000)
            await pinger.close()
            return answers
        }
        XCTAssertEqual(answers.count, 3)
        for answer in answers {
            XCTAssertEqual(answer.type, ControlMessage.echoReply)
            XCTAssertEqual(answer.responder, compact("0x02"))
            XCTAssertEqual(answer.forwardHops, 2, "h1 and r1 forward the request")
            XCTAssertEqual(answer.returnHops, 2)
            // Each hop charges its link's 1 ms on departure, plus the time spent in the node, which
            // a loaded machine stretches but which cannot exceed the round trip.
            let experienced = Int64(answer.forwardExperienced ?? 0)
            XCTAssertGreaterThanOrEqual(experienced, 2, "the two links' delays are charged")
            XCTAssertLessThanOrEqual(experienced, 2 + answer.roundTrip / 1_000_000 + 1, "no more than the links plus the round trip")
            XCTAssertGreaterThan(answer.roundTrip, 0)
            XCTAssertLessThan(answer.roundTrip, 1_000_000_000)
        }
    }

    func testThousandDatagramsEndToEndNoneLostAndCountersAgree() throws {
        let (h1, r1, h2) = chainConfigs()
        for config in [h1, r1, h2] { try startNode(config) }
        let (h1App, h2App) = (h1.app!, h2.app!)
        // A scrape before the traffic: the one after must show what was counted in between.
        let first = try ControlClient.request("GET", r1.control, "/metrics").body
        XCTAssertTrue(first.contains("newip_interface_tx_packets_total{node=\"r1\",interface=\"eth1\"} 0"), first)
        let before = (r1In: try counter(r1, "eth0", "rx_packets"), r1Out: try counter(r1, "eth1", "tx_packets"),
                      h1Out: try counter(h1, "eth0", "tx_packets"), h2In: try counter(h2, "eth0", "rx_packets"))
        let received = try runBlocking { () -> [Int] in
            let listener = try await NewIPDatagramSocket.bind(node: h2App, port: 5000)
            let sender = try await NewIPDatagramSocket.bind(node: h1App, port: 0, contract: .latencyBased(min: 0, max: 500_000_000))
            let collector = Task { () -> [Int] in
                var sequences: [Int] = []
                for await datagram in listener.datagrams {
                    XCTAssertEqual(datagram.source, compact("0x01"))
                    XCTAssertEqual(datagram.destinationPort, 5000)
                    sequences.append(Int(String(decoding: datagram.data, as: UTF8.self))!)
                    if sequences.count == 1000 { break }
                }
                return sequences
            }
            for sequence in 1...1000 {
                // Paced below the sockets' buffers: the test is about loss in the nodes, not in the kernel.
                if sequence % 100 == 0 { try await Task.sleep(nanoseconds: 5_000_000) }
                try sender.send(Array("\(sequence)".utf8), to: compact("0x02"), port: 5000)
            }
            let timeout = Task {
                try await Task.sleep(nanoseconds: 10_000_000_000)
                collector.cancel()
            }
            let sequences = await collector.value
            timeout.cancel()
            await sender.close()
            await listener.close()
            return sequences
        }
        XCTAssertEqual(received.count, 1000, "datagrams lost")
        XCTAssertEqual(Set(received), Set(1...1000))
        // Every datagram crossed each interface exactly once, and nobody dropped anything.
        XCTAssertEqual(try counter(h1, "eth0", "tx_packets") - before.h1Out, 1000)
        XCTAssertEqual(try counter(r1, "eth0", "rx_packets") - before.r1In, 1000)
        XCTAssertEqual(try counter(r1, "eth1", "tx_packets") - before.r1Out, 1000)
        XCTAssertEqual(try counter(h2, "eth0", "rx_packets") - before.h2In, 1000)
        XCTAssertEqual(try counter(h2, "eth0", "delivered"), try counter(h2, "eth0", "rx_packets"))
        XCTAssertEqual(try counter(h2, "app", "tx_packets"), 1000, "handed to the listening application")
        for config in [h1, r1, h2] { XCTAssertEqual(try counters(config)["drops"] as? Int, 0, "\(config.name) dropped") }
        let metrics = try ControlClient.request("GET", r1.control, "/metrics").body
        XCTAssertTrue(metrics.contains("newip_interface_tx_packets_total{node=\"r1\",interface=\"eth1\"} 1000"), metrics)
        XCTAssertTrue(metrics.contains("newip_lbf_on_time_ratio{node=\"r1\"} 1.0"), metrics)
        XCTAssertTrue(metrics.contains("newip_drops_total{node=\"r1\",interface=\"eth1\",reason=\"late\"} 0"))
    }

    func testTracerouteNamesTheRouterThenTheDestination() throws {
        let (h1, r1, h2) = chainConfigs(lbfTowardsH2: false)
        for config in [h1, r1, h2] { try startNode(config) }
        let result = try run(["traceroute", "--control", h1.control.description, "0x02"])
        XCTAssertEqual(result.status, 0, result.error + result.output)
        let lines = result.output.split(separator: "\n")
        XCTAssertTrue(lines.contains { $0.hasPrefix(" 1  0x10 ") && $0.contains("hop limit exceeded") }, result.output)
        XCTAssertTrue(lines.contains { $0.hasPrefix(" 2  0x02 ") }, result.output)
    }

    func testRoutesAddedAndRemovedWhileRunning() throws {
        let (h1, r1, h2) = chainConfigs()
        for config in [h1, r1, h2] { try startNode(config) }
        let removed = try ControlClient.request("DELETE", r1.control, "/routes?prefix=0x02")
        XCTAssertEqual(removed.status, 200, removed.body)
        let ping = try run(["ping", "--control", h1.control.description, "-c", "1", "--timeout", "0.5", "0x02"])
        XCTAssertEqual(ping.status, 1, "no route at r1: no answer")
        XCTAssertEqual(try drops(r1, "eth0")["no-route"], 1)

        let added = try ControlClient.request("POST", r1.control, "/routes",
                                              body: #"{"prefix": "0x02", "via": "eth1", "to-delay": "1ms", "to-hops": 1}"#)
        XCTAssertEqual(added.status, 200, added.body)
        let again = try run(["ping", "--control", h1.control.description, "-c", "1", "0x02"])
        XCTAssertEqual(again.status, 0, again.output + again.error)
        XCTAssertTrue(again.output.contains("1 received"), again.output)

        let bad = try ControlClient.request("POST", r1.control, "/routes", body: #"{"prefix": "0xZZ", "via": "eth1"}"#)
        XCTAssertEqual(bad.status, 400)
        XCTAssertTrue(bad.body.contains("is not a route prefix"), bad.body)
        // A delay no clock can hold is refused, not a trap in the node.
        let huge = try ControlClient.request("POST", r1.control, "/routes", body: #"{"prefix": "0x05", "via": "eth1", "to-delay": "1e300s"}"#)
        XCTAssertEqual(huge.status, 400, huge.body)
        let unknown = try ControlClient.request("POST", r1.control, "/routes", body: #"{"prefix": "0x05", "via": "eth9"}"#)
        XCTAssertEqual(unknown.status, 400)
        XCTAssertTrue(unknown.body.contains("no interface `eth9`"), unknown.body)
        let routes = try ControlClient.request("GET", r1.control, "/routes").value()
        XCTAssertTrue(try routes.array("routes").contains { $0["prefix"]?.stringValue == "0x02/8" }, routes.serialized)
    }

    func testSendAndListenCarryStandardInputAndFiles() throws {
        let (h1, r1, h2) = chainConfigs()
        for config in [h1, r1, h2] { try startNode(config) }
        let text = (1...50).map { "line \($0) of a file sent over New IP" }.joined(separator: "\n") + "\n"
        let input = folder.appendingPathComponent("input.txt")
        try text.write(to: input, atomically: true, encoding: .utf8)
        let output = folder.appendingPathComponent("output.txt")
        let listener = Process()
        listener.executableURL = URL(fileURLWithPath: try nip)
        listener.arguments = ["listen", "--control", h2.control.description, "--port", "7000", "--count", "50",
                              "--timeout", "10", "--output", output.path]
        let listenerErrors = Pipe()
        listener.standardError = listenerErrors
        try listener.run()
        XCTAssertTrue(waitForOutput(listenerErrors, containing: "listening on 0x02 port 7000"), "listener never bound")
        let sent = try run(["send", "--control", h1.control.description, "--to", "0x02", "--port", "7000",
                            "--file", input.path, "--lines"])
        // No contract: this test is about carrying the lines in order. (An LBF contract lets a
        // router send by remaining budget, which legitimately swaps two lines whose budgets
        // were rounded to different milliseconds.)
        XCTAssertEqual(sent.status, 0, sent.error)
        listener.waitUntilExit()
        XCTAssertEqual(listener.terminationStatus, 0)
        XCTAssertEqual(try String(contentsOf: output, encoding: .utf8), text)
    }

    func testLatencyBasedQueueHoldsPacketsUntilTheirWindowOpens() throws {
        let (h1, r1, h2) = chainConfigs(lbfTowardsH2: true)
        for config in [h1, r1, h2] { try startNode(config) }
        let app = h1.app!
        // min 30 ms end to end: r1 (1 ms charged by h1's link, 1 ms to go, 1 queue left) must
        // hold each request about 28 ms on a timer before it may leave; the replies carry no bound.
        let answers = try runBlocking {
            let pinger = try await Pinger.connect(node: app)
            let answers = try await pinger.run(destination: compact("0x02"),
                                               probes: (1...3).map { (UInt16($0), PacketBuilder.defaultTTL) },
                                               interval: 50_000_000, timeout: 2_000_000_000,
                                               contract: .latencyBased(min: 30_000_000, max: 500_000_000))
            await pinger.close()
            return answers
        }
        XCTAssertEqual(answers.count, 3)
        for answer in answers {
            XCTAssertGreaterThanOrEqual(answer.roundTrip, 27_000_000, "released before its window opened")
            XCTAssertLessThan(answer.roundTrip, 300_000_000)
            // Experienced on arrival: 1 ms (h1's link) + ~28 ms held at r1 + 1 ms (r1's link).
            // (A busy machine may fire the timer late, never early: only the lower bound is exact.)
            XCTAssertTrue((29...300).contains(answer.forwardExperienced ?? 0), "\(String(describing: answer.forwardExperienced))")
        }
        let metrics = try ControlClient.request("GET", r1.control, "/metrics").body
        XCTAssertTrue(metrics.contains("newip_lbf_on_time_total{node=\"r1\",interface=\"eth1\"} 3"), metrics)
        XCTAssertTrue(metrics.contains("newip_lbf_on_time_ratio{node=\"r1\"} 1.0"), metrics)
    }
}
