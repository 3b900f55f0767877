import NewIPEmulator
import NewIPRuntime
import NewIPTopology
import NewIPWire
import XCTest

/// The real deployment (`nip up`, `nip run`) refuses a topology with problems as the parser
/// and the emulator do: `Topology.problems()`, with the same texts.
final class DeploymentCheckTests: XCTestCase {
    private func refusals(_ topology: Topology) -> (deployment: String?, emulation: String?) {
        var deployment: String?, emulation: String?
        do { try TopologyDeployment.check(topology) } catch { deployment = error.description }
        do { _ = try Emulation(topology: topology) } catch { emulation = error.description }
        return (deployment, emulation)
    }

    func testATopologyBuiltInCodeIsRefusedAsTheEmulatorRefusesIt() throws {
        var topology = try TopologyGenerator.chain(routers: 2)
        XCTAssertNoThrow(try TopologyDeployment.check(topology))
        topology.links[0].mtu = 500
        topology.nodes[1].interfaces.append(Topology.Interface(name: "spare", address: .compact(CompactAddress(value: 99)!)))
        let expected = """
        chain-2: interface `r1:spare`: interface `r1:spare` is on no link — add a link with endpoint r1:spare, or remove the interface
        chain-2: flow `h1-to-h2`: 1000-byte packets exceed the MTU 500 of the link at `h1:eth0` — lower the size or raise the link's `mtu`
        """
        let (deployment, emulation) = refusals(topology)
        XCTAssertEqual(deployment, expected)
        XCTAssertEqual(emulation, expected)
    }

    func testAFileTopologyChangedInCodeIsRefusedAtTheFilesPositions() throws {
        let yaml = """
        name: pair
        duration: 1s
        nodes:
          a: {kind: host, interfaces: {eth0: "0x01"}}
          b: {kind: host, interfaces: {eth0: "0x02"}}
        links:
          - {endpoints: [a:eth0, b:eth0], rate: 1Gbps, delay: 1ms}
        flows:
          - {name: f, from: a, to: b, rate: 10pps, size: 100}
        """
        var topology = try TopologyParser.parse(yaml: yaml, file: "pair.yaml")
        XCTAssertNoThrow(try TopologyDeployment.check(topology))
        topology.flows[0].destination = topology.flows[0].source
        let (deployment, emulation) = refusals(topology)
        XCTAssertEqual(deployment, "pair.yaml:9:28: the flow is sent to the node that sends it — send it to another node")
        XCTAssertEqual(emulation, deployment)
        // The file with that mistake is refused by the parser with the same line.
        XCTAssertThrowsError(try TopologyParser.parse(yaml: yaml.replacingOccurrences(of: "to: b", with: "to: a"), file: "pair.yaml")) { error in
            XCTAssertEqual((error as? TopologyError)?.description, deployment)
        }
    }
}
