package io.goim.comet;

import java.io.File;
import java.io.FileInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for {@code localhost} / {@code 127.0.0.1}, made in the test
 * with the JDK's {@code keytool} and written as the PEM files comet's TLS config takes.
 */
final class SelfSignedCert {
    private static final char[] PASSWORD = "changeit".toCharArray();

    final File certFile;
    final File keyFile;
    private final KeyStore store;

    SelfSignedCert(Path dir) throws Exception {
        File p12 = dir.resolve("comet.p12").toFile();
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "comet", "-keyalg", "RSA", "-keysize", "2048",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", p12.getPath(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
        store = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(p12)) {
            store.load(in, PASSWORD);
        }
        Certificate cert = store.getCertificate("comet");
        PrivateKey key = (PrivateKey) store.getKey("comet", PASSWORD);
        certFile = dir.resolve("cert.pem").toFile();
        keyFile = dir.resolve("key.pem").toFile();
        Files.writeString(certFile.toPath(), pem("CERTIFICATE", cert.getEncoded()));
        Files.writeString(keyFile.toPath(), pem("PRIVATE KEY", key.getEncoded())); // PKCS#8
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** A client context that trusts exactly this certificate. */
    SSLContext clientContext() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("comet", store.getCertificate("comet"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
