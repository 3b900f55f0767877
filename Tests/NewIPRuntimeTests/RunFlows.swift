import Foundation
import XCTest

/// One flow of a `results.json` (nip emulate or nip run), as the governance tests compare them.
struct RunFlow: Equatable {
    var sent: Int
    var delivered: Int
    var drops: [String: Int]
}

/// The flows of the `results.json` in `folder`, by name.
func runFlows(_ folder: String) throws -> [String: RunFlow] {
    let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/results.json"))
    let results = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    var flows: [String: RunFlow] = [:]
    for flow in try XCTUnwrap(results["flows"] as? [[String: Any]]) {
        flows[try XCTUnwrap(flow["name"] as? String)] = RunFlow(sent: flow["sent"] as? Int ?? -1, delivered: flow["delivered"] as? Int ?? -1,
                                                               drops: flow["drops"] as? [String: Int] ?? [:])
    }
    return flows
}
