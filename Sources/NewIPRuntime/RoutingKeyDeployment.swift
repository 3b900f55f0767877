import NewIPControl
import NewIPDataPlane
import NewIPSecurity
import NewIPTopology

/// What `nip up` gives the routers of a `routing: {protocol: dynamic, authentication:
/// signature}` topology: a registrar key pair for the deployment (`routing-registrar.key`),
/// and per router an identity key file (`<name>.routing.key`, mode 0600), the registrar's
/// certificate for the block it originates, and the registrar's key to trust.
public enum RoutingKeyDeployment {
    /// The domain the deployment's registrar certifies routers in.
    public static let domain = "routing.deployment"
    public static let registrarFile = "routing-registrar.key"

    public static func identityFile(_ node: String) -> String { "\(node).routing.key" }

    /// The files `prepare` writes in the state folder for `configs`.
    public static func files(_ configs: [NodeConfig]) -> [String] {
        let routers = configs.filter { $0.routing != nil }
        return routers.isEmpty ? [] : [registrarFile] + routers.map { identityFile($0.name) }
    }

    /// Writes the keys into `folder` (an absolute path: the node files name them) and completes
    /// each router's `routing:` with its signing section; certificates are valid from a minute
    /// before `unixTime` (slack for a clock read a moment apart) for `validity` seconds.
    public static func prepare(_ configs: inout [NodeConfig], folder: String, unixTime: UInt64,
                               validity: UInt64 = 365 * 86_400) throws {
        let registrar = DeviceIdentity.generate()
        if configs.contains(where: { $0.routing != nil }) { try write(registrar, "\(folder)/\(registrarFile)") }
        for (index, config) in configs.enumerated() {
            guard let routing = config.routing else { continue }
            let identity = DeviceIdentity.generate()
            let prefixes = DelayVectorRouting.originated(block: routing.prefix, addresses: config.localAddresses)
            guard let certificate = RouterCertificate.issue(subjectKey: identity.publicKey, covering: prefixes, registrar: registrar,
                                                            domain: domain, serial: UInt64(index + 1), notBefore: unixTime - 60,
                                                            notAfter: unixTime + validity) else {
                throw ToolError("node `\(config.name)`: signed routing updates need a compact address or `prefix` to certify; it has none")
            }
            let path = "\(folder)/\(identityFile(config.name))"
            try write(identity, path)
            configs[index].routing?.signing = .init(identity: path, certificate: certificate.encoded,
                                                    registrarKey: registrar.publicKey, domain: domain)
        }
    }

    private static func write(_ identity: DeviceIdentity, _ path: String) throws {
        do { try KeyFile.write(identity, to: path, force: true) } catch { throw ToolError("\(error)") }
    }
}
