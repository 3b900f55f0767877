import ArgumentParser
import NewIPSecurity
import NewIPWire

struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Device identity keys (Ed25519) and their self-certifying addresses (docs/keys.md).",
        subcommands: [KeyGenerate.self, KeyShow.self])
}

struct KeyGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Create a new device key file (mode 0600); print its public key and key id.")

    @Option(help: "The key file to write.")
    var out: String

    @Flag(help: "Replace an existing key file (its key is lost).")
    var force = false

    func run() throws {
        let identity = DeviceIdentity.generate()
        do { try KeyFile.write(identity, to: out, force: force) } catch { throw ValidationError("\(error)") }
        print("public key: \(hex(identity.publicKey))")
        print("key id: \(identity.keyID)")
    }
}

struct KeyShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print a key file's public key, key id and, with --prefix, its self-certifying address.",
        discussion: """
        --prefix is a compact prefix (0xFE/8: an 8-byte address whose last 7 bytes come from the key; \
        the prefix must cover the first byte) or an IPv4/IPv6 prefix (2001:db8::/64, 10.1.0.0/16).
        """)

    @Argument(help: "The key file.")
    var file: String

    @Option(help: "Network prefix of the self-certifying address to show.")
    var prefix: String?

    func run() throws {
        let identity: DeviceIdentity
        do { identity = try KeyFile.read(file) } catch { throw ValidationError("\(error)") }
        print("public key: \(hex(identity.publicKey))")
        print("key id: \(identity.keyID)")
        guard let prefix else { return }
        guard let (address, length, modifier) = Self.address(prefix, identity.publicKey) else {
            throw ValidationError("--prefix \(prefix): expected a compact prefix of at least 8 bits (0xFE/8) or an IPv4/IPv6 prefix (2001:db8::/64) that leaves room for a valid address")
        }
        print("address: \(address) (prefix /\(length), modifier \(modifier))")
    }

    static func address(_ text: String, _ key: [UInt8]) -> (FrameworkAddress, Int, UInt8)? {
        if text.hasPrefix("0x") || text.hasPrefix("0X") {
            guard let prefix = CompactAddressPrefix(text),
                  let (address, modifier) = SelfCertifyingAddress.generate(prefix: prefix, publicKey: key) else { return nil }
            return (.compact(address), prefix.length, modifier)
        }
        let parts = text.split(separator: "/")
        guard parts.count == 2, let length = Int(parts[1]) else { return nil }
        let base: FrameworkAddress
        if let ipv6 = IPv6Address(String(parts[0])) {
            base = .ipv6(ipv6)
        } else if let ipv4 = IPv4Address(String(parts[0])) {
            base = .ipv4(ipv4)
        } else {
            return nil
        }
        guard let (address, modifier) = SelfCertifyingAddress.generate(prefix: base, prefixLength: length, publicKey: key) else { return nil }
        return (address, length, modifier)
    }
}
