package io.goim.libs.testing;

import java.io.FileInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private CA and certificates it signs, made in the test with the JDK's {@code keytool}
 * and written as the PEM files {@code peer-auth.tls} takes: what an operator makes once
 * for a cluster's internal certificates.
 */
public final class TestCertificates {
    private static final String PASSWORD = "changeit";

    private final Path dir;
    private final String caAlias;
    /** The CA's certificate, PEM: the {@code ca-file} of every peer. */
    public final Path caFile;

    /** A leaf certificate and its key, PEM. */
    public record Leaf(Path certFile, Path keyFile) {
    }

    private TestCertificates(Path dir, String caAlias) throws Exception {
        this.dir = dir;
        this.caAlias = caAlias;
        keytool("-genkeypair", "-alias", caAlias, "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=" + caAlias, "-ext", "bc:c", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", store(caAlias), "-storepass", PASSWORD, "-keypass", PASSWORD);
        caFile = dir.resolve(caAlias + ".pem");
        keytool("-exportcert", "-rfc", "-alias", caAlias, "-keystore", store(caAlias), "-storepass", PASSWORD,
                "-file", caFile.toString());
    }

    /** A new CA in {@code dir}; {@code name} keeps several CAs in one directory apart. */
    public static TestCertificates newCa(Path dir, String name) throws Exception {
        return new TestCertificates(dir, name);
    }

    /** A certificate for {@code name}, valid for 127.0.0.1, localhost and {@code name}, signed by this CA. */
    public Leaf issue(String name) throws Exception {
        return issue(name, "ip:127.0.0.1,dns:localhost,dns:" + name);
    }

    /** A certificate for {@code name} with subject alternative names {@code san} (keytool syntax), signed by this CA. */
    public Leaf issue(String name, String san) throws Exception {
        String alias = caAlias + "-" + name;
        keytool("-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-validity", "2", "-storetype", "PKCS12", "-keystore", store(alias), "-storepass", PASSWORD,
                "-keypass", PASSWORD);
        Path csr = dir.resolve(alias + ".csr");
        keytool("-certreq", "-alias", alias, "-keystore", store(alias), "-storepass", PASSWORD, "-file", csr.toString());
        Path cert = dir.resolve(alias + ".pem");
        keytool("-gencert", "-rfc", "-alias", caAlias, "-keystore", store(caAlias), "-storepass", PASSWORD,
                "-infile", csr.toString(), "-outfile", cert.toString(), "-validity", "2",
                "-ext", "SAN=" + san, "-ext", "EKU=serverAuth,clientAuth");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(store(alias))) {
            ks.load(in, PASSWORD.toCharArray());
        }
        PrivateKey key = (PrivateKey) ks.getKey(alias, PASSWORD.toCharArray());
        Path keyFile = dir.resolve(alias + ".key");
        Files.writeString(keyFile, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n"); // PKCS#8
        return new Leaf(cert, keyFile);
    }

    private String store(String alias) {
        return dir.resolve(alias + ".p12").toString();
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + output);
        }
    }
}
