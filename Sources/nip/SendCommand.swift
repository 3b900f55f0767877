import ArgumentParser
import Foundation
import NIOCore
import NewIPDataPlane
import NewIPFiles
import NewIPRuntime
import NewIPWire

struct SendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send UDP-over-New-IP datagrams from a running node.",
        discussion: """
        Sends standard input, or --file, in datagrams of at most --chunk bytes (or one per line with \
        --lines); or, with --count, N generated datagrams "nip SEQ\\n" padded with dots (or cut) to exactly --size bytes. The \
        datagrams leave the node's application port with the node's address as source.
        """)

    @OptionGroup var nodeOptions: NodeOptions

    @Option(help: "Destination address (0x02).")
    var to: String

    @Option(help: "Destination UDP port.")
    var port: UInt16

    @Option(help: "Source UDP port (0: any).")
    var sourcePort: UInt16 = 0

    @Option(help: "Send this file instead of standard input.")
    var file: String?

    @Flag(help: "One datagram per line of input.")
    var lines = false

    @Option(help: "Largest datagram payload.")
    var chunk = 1200

    @Option(help: "Send N generated datagrams instead of input.")
    var count: Int?

    @Option(help: "Payload size of generated datagrams.")
    var size = 64

    @Option(help: "Datagrams per second (0: as fast as possible).")
    var rate = 20000.0

    @Option(help: "Contract on every datagram: lbf:MIN-MAX or mdf:MAX.")
    var contract: String?

    func validate() throws {
        guard chunk >= 1 && chunk <= 1400 else { throw ValidationError("--chunk must be 1…1400") }
        if let contract { _ = try Contract(parsing: contract) }
        if let count { guard count >= 1, size >= 1, size <= 1400 else { throw ValidationError("--count ≥ 1 and --size 1…1400") } }
    }

    func run() throws {
        let payloads = try makePayloads()
        let target = try nodeOptions.target()
        let app = try target.requireApp()
        let (to, port, sourcePort, rate, state) = (to, port, sourcePort, rate, nodeOptions.state)
        let contract = contract.flatMap(Contract.init)
        let sent = try runBlocking { () -> Int in
            let socket = try await NewIPDatagramSocket.bind(node: app, port: sourcePort, contract: contract)
            let destination = try parseAddress(to, dialect: socket.dialect, stateDirectory: state)
            var last: EventLoopFuture<Void>?
            let start = DispatchTime.now().uptimeNanoseconds
            for (index, payload) in payloads.enumerated() {
                if rate > 0 {
                    let due = start + UInt64(Double(index) / rate * 1e9)
                    let now = DispatchTime.now().uptimeNanoseconds
                    if due > now + 1_000_000 { try await Task.sleep(nanoseconds: due - now) }
                }
                last = try socket.send(payload, to: destination, port: port)
            }
            try await last?.get()
            await socket.close()
            return payloads.count
        }
        FileHandle.standardError.write(Data("sent \(sent) datagrams to \(to) port \(port) from node \(target.name)\n".utf8))
    }

    func makePayloads() throws -> [[UInt8]] {
        if let count {
            // Exactly --size bytes: the label padded with dots, or cut short.
            return (1...count).map { index in
                var bytes = Array("nip \(index)\n".utf8)
                if bytes.count < size { bytes += repeatElement(UInt8(ascii: "."), count: size - bytes.count) }
                return Array(bytes.prefix(size))
            }
        }
        let bytes: [UInt8]
        if let file {
            do { bytes = try InputFile.bytes(file, option: "--file") } catch { throw ToolError(error.description) }
        } else {
            bytes = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
        }
        if lines {
            return bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast(bytes.last == 10 ? 1 : 0)
                .map { Array($0) + [10] }
        }
        return stride(from: 0, to: bytes.count, by: chunk).map { Array(bytes[$0..<min($0 + chunk, bytes.count)]) }
    }
}
