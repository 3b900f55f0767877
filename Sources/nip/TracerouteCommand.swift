import ArgumentParser
import Foundation
import NewIPDataPlane
import NewIPNode
import NewIPRuntime
import NewIPWire

struct TracerouteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "traceroute",
        abstract: "List the routers on the way to a New IP address.",
        discussion: """
        Sends echo requests whose hop limit (compact TTL; in the framework dialect the ping clause's hop \
        count, assuming the default limit 64) runs out one router further each time; each router that \
        drops one for its hop limit answers "hop limit exceeded", and the destination answers the echo.
        """)

    @OptionGroup var nodeOptions: NodeOptions

    @Argument(help: "The destination address.")
    var destination: String

    @Option(help: "Most routers to try.")
    var maxHops = 16

    @Option(help: "Seconds to wait for answers.")
    var timeout = 2.0

    func run() throws {
        guard (1...60).contains(maxHops) else { throw ValidationError("--max-hops must be 1…60") }
        let target = try nodeOptions.target()
        let app = try target.requireApp()
        let (maxHops, timeout, destinationText, state) = (maxHops, timeout, destination, nodeOptions.state)
        let (answers, destination) = try runBlocking { () -> ([PingAnswer], FrameworkAddress) in
            let pinger = try await Pinger.connect(node: app)
            let destination = try parseAddress(destinationText, dialect: pinger.dialect, stateDirectory: state)
            print("traceroute to \(destination) from \(pinger.sourceAddress) (node \(target.name)), \(maxHops) hops max")
            // The sending node decrements too, so TTL 2 expires at the first router after it.
            let probes = (1...maxHops).map { (sequence: UInt16($0), ttl: UInt8($0 + 1)) }
            let answers = try await pinger.run(destination: destination, probes: probes, interval: 10_000_000,
                                               timeout: Nanoseconds(timeout * 1e9))
            await pinger.close()
            return (answers, destination)
        }
        let bySequence = Dictionary(answers.map { ($0.sequence, $0) }, uniquingKeysWith: { first, _ in first })
        var reached = false
        for hop in 1...maxHops {
            guard let answer = bySequence[UInt16(hop)] else {
                print(String(format: "%2d  *", hop))
                continue
            }
            let kind = answer.type == ControlMessage.echoReply ? "" : "  (hop limit exceeded)"
            print(String(format: "%2d  %@  %@ ms%@", hop, answer.responder?.description ?? "?", milliseconds(answer.roundTrip), kind))
            if answer.type == ControlMessage.echoReply {
                reached = true
                break
            }
        }
        if !reached {
            print("\(destination) not reached")
            throw ExitCode(1)
        }
    }
}
