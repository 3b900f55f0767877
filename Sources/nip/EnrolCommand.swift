import ArgumentParser
import Foundation
import NewIPRuntime
import NewIPSecurity
import NewIPTopology
import NewIPWire

struct EnrolCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enrol",
        abstract: "Enrol a device key for an address at a domain's registrar; write its certificate and source key (0600).",
        discussion: """
        The request is signed by the device key; the answer is checked (the certificate verifies with the \
        registrar key and binds this key to this address). A refusal prints the registrar's signed reason \
        and exits 1. The source key travels in the clear: run enrolment on loopback or inside a protected channel.
        """)

    @Option(help: "The registrar, host:port.")
    var registrar: String

    @Option(help: "The device key file (nip key generate).")
    var key: String

    @Option(help: "The address to enrol, e.g. 0x05.")
    var address: String

    @Option(help: "A one-time enrolment token the domain gave.")
    var token: String

    @Option(help: "The registrar's public key (64 hex digits) when known; otherwise the answer's key is trusted on first use.")
    var registrarKey: String?

    @Option(help: "The enrolment file to write (certificate and source key; mode 0600).")
    var out: String

    @Flag(help: "Replace an existing enrolment file.")
    var force = false

    func run() throws {
        guard let endpoint = NodeConfig.Endpoint(registrar) else { throw ValidationError("--registrar takes host:port") }
        guard let address = FrameworkAddress(self.address) else { throw ValidationError("--address \(self.address) is not an address") }
        let expected = try registrarKey.map { text -> [UInt8] in
            guard let key = parseHexBytes(text), key.count == 32 else { throw ValidationError("--registrar-key must be 64 hex digits") }
            return key
        }
        let identity: DeviceIdentity
        do { identity = try KeyFile.read(key) } catch { throw ToolError("\(error)") }
        let outcome: EnrolmentClient.Outcome
        do {
            outcome = try EnrolmentClient.enrol(registrar: endpoint, identity: identity, address: address, token: token, registrarKey: expected)
        } catch { throw ToolError("\(error)") }
        switch outcome {
        case .granted(let enrolment):
            do { try enrolment.write(to: out, force: force) } catch { throw ToolError("\(error)") }
            print("enrolled \(enrolment.address) in \(enrolment.domain): certificate serial \(enrolment.certificate.serial), "
                  + "epoch \(enrolment.sourceKey.epoch), log index \(enrolment.logIndex); wrote \(out)")
        case .refused(let reason, let statement, let valid):
            let check = valid.map { $0 ? "signature verified" : "SIGNATURE DOES NOT VERIFY" } ?? "signature not checked (no --registrar-key)"
            throw ToolError("refused: \(reason) (\(check)): \(statement)")
        }
    }
}
