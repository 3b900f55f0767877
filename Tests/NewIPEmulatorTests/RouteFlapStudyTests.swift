import Foundation
import NewIPDataPlane
@testable import NewIPEmulator
import NewIPJSON
import NewIPWire
import NewIPTopology
import XCTest

/// The delay-metric oscillation experiment (`RouteFlapStudy`, `nip route-flaps`).
final class RouteFlapStudyTests: XCTestCase {
    private static let ms: Nanoseconds = 1_000_000

    /// Examples/route-flaps.yaml for 8 s (6 s of load), as a test can afford.
    private static func twoPaths() throws -> Topology {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Examples/route-flaps.yaml")
        return try parse(try String(contentsOf: example, encoding: .utf8).replacingOccurrences(of: "duration: 62s", with: "duration: 8s"))
    }

    func testFlapsCountNextHopChangesInsideTheWindowOnly() {
        typealias State = RouteFlapStudy.RouteState
        let route = [State(time: 0, interface: 1, delay: 6 * Self.ms), State(time: 1_000, interface: 1, delay: 7 * Self.ms),
                     State(time: 2_000, interface: 2, delay: 7 * Self.ms), State(time: 3_000, interface: nil, delay: nil),
                     State(time: 4_000, interface: 1, delay: 6 * Self.ms), State(time: 5_000, interface: 2, delay: 7 * Self.ms)]
        // A delay change is no flap; 1 → 2, 2 → none, none → 1, 1 → 2 are.
        XCTAssertEqual(RouteFlapStudy.flaps(route, in: 0..<10_000), 4)
        XCTAssertEqual(RouteFlapStudy.flaps(route, in: 2_500..<4_500), 2)
        XCTAssertEqual(RouteFlapStudy.flaps(Array(route.prefix(2)), in: 0..<10_000), 0)
    }

    func testDampingMakesFewerFlapsThanAnUndampedDelayMetric() throws {
        let study = try RouteFlapStudy(topology: try Self.twoPaths(), router: "a")
        XCTAssertEqual(study.prefix, RoutePrefix(exactly: .compact(CompactAddress("0x08")!)))
        XCTAssertEqual(study.window, 2_000 * Self.ms..<8_000 * Self.ms)
        let undamped = try study.run(RouteFlapStudy.variants[0], seed: 1)
        let damped = try study.run(RouteFlapStudy.variants[3], seed: 1)
        // Before the load both settle on the 5 ms link: b's address 5 ms away, dst's 6 ms.
        for run in [undamped, damped] {
            XCTAssertEqual(run.route.first?.interface, 1)
            XCTAssertEqual(run.route.first?.delay, 6 * Self.ms)
            XCTAssertEqual(run.flapsPerMinute, Double(run.flaps) * 10)
        }
        XCTAssertGreaterThan(undamped.flaps, 10, "the undamped metric oscillates")
        XCTAssertLessThan(damped.flaps, undamped.flaps)
        // A 10 s route hold allows one move in the 6 s of load.
        let held = try study.run(RouteFlapStudy.variants[4], seed: 1)
        XCTAssertLessThan(held.flaps, damped.flaps)
        XCTAssertLessThanOrEqual(held.flaps, 1)
        // The same seed gives the same route, change for change.
        XCTAssertEqual(try study.run(RouteFlapStudy.variants[0], seed: 1).route, undamped.route)
        let json = study.json([undamped, damped])
        XCTAssertTrue(json.serialized.contains(#""name": "undamped", "hysteresis_ns": 0, "smoothing_retain_per_mille": 0, "max_delay_step_ns": "none""#))
        XCTAssertTrue(json.serialized.contains(#""name": "both (default)", "hysteresis_ns": 1000000000, "smoothing_retain_per_mille": 836, "max_delay_step_ns": 10000000, "route_hold_ns": 0"#))
        let svg = study.svg([undamped, damped], span: study.window)
        XCTAssertTrue(svg.hasPrefix("<svg"))
        XCTAssertTrue(svg.contains("<tspan>undamped</tspan>"))
        print("route-flaps, 8 s: undamped \(undamped.flaps) flaps, damped \(damped.flaps), held \(held.flaps) in 6 s")
    }

    func testRoutingDampingIsReadFromTheRoutingMapping() throws {
        let topology = try parse(pairTopology(replacing: "duration: 1s", with: "duration: 1s\nrouting: {protocol: dynamic, hysteresis: 0s, smoothing: 0.5, max-delay-step: none, route-hold: 10s}"))
        XCTAssertEqual(topology.routing, .dynamic)
        XCTAssertEqual(topology.routingDamping, RoutingDamping(hysteresis: 0, smoothingRetain: 500, maxDelayStep: .max, routeHold: 10_000_000_000))
        XCTAssertEqual(try parse(pairTopology(replacing: "duration: 1s", with: "duration: 1s\nrouting: dynamic")).routingDamping, RoutingDamping())
        XCTAssertEqual(diagnostics(pairTopology(replacing: "duration: 1s", with: "duration: 1s\nrouting: {protocol: static, hysteresis: 0s}")),
                       ["test.yaml:3:41: `hysteresis` damps `routing: dynamic` only, not `static` — write `protocol: dynamic`, or remove `hysteresis`"])
        XCTAssertEqual(diagnostics(pairTopology(replacing: "duration: 1s", with: "duration: 1s\nrouting: {hysteresis: 0s}")).count, 1)
    }
}
