package io.rlstream.testkit;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A throwaway certificate authority for TLS tests, made offline with the JDK's own keytool (in a
 * child JVM of the same JDK) into PKCS12 files in a folder: the CA's key pair, a truststore with
 * its certificate, and per principal a keystore holding the principal's key and its certificate
 * signed by the CA (subject {@code CN=<name>}), chained to the CA. Keys are EC P-256, valid two
 * days. Every file has the password {@link #PASSWORD}.
 *
 * <pre>{@code
 * TestCertificateAuthority ca = TestCertificateAuthority.create(dir, Map.of(
 *         "rlstream-broker", List.of("localhost", "127.0.0.1"), "rlstream-worker", List.of()));
 * // ssl.keystore.location=ca.keystore("rlstream-worker"), ssl.truststore.location=ca.truststore()
 * }</pre>
 */
public final class TestCertificateAuthority {

    public static final String PASSWORD = "test-store-secret";
    private static final String CA_ALIAS = "rlstream-test-ca";
    private static final long KEYTOOL_TIMEOUT_SECONDS = 120;

    private final Path truststore;
    private final Map<String, Path> keystores;

    private TestCertificateAuthority(Path truststore, Map<String, Path> keystores) {
        this.truststore = truststore;
        this.keystores = keystores;
    }

    /**
     * Makes the CA, the truststore and a keystore per common name, {@code <name>.p12}, its entry
     * chained to the CA, in {@code dir}: 2 + 3 per name keytool commands, all in one keytool JVM (a
     * JVM start is a second or more on a busy machine).
     *
     * @param serverNames per common name, the host names and addresses its certificate is valid for
     *                    as a server (its subjectAltName, checked by clients' hostname verification):
     *                    a broker's {@code localhost, 127.0.0.1}; an empty list for a client
     */
    public static TestCertificateAuthority create(Path dir, Map<String, List<String>> serverNames) {
        Path caKeystore = dir.resolve("ca.p12");
        Path caPem = dir.resolve("ca.pem");
        List<List<String>> commands = new ArrayList<>();
        commands.add(List.of("-genkeypair", "-alias", CA_ALIAS, "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=" + CA_ALIAS, "-ext", "bc:c", "-validity", "2",
                "-keystore", caKeystore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD));
        commands.add(List.of("-exportcert", "-rfc", "-alias", CA_ALIAS, "-file", caPem.toString(),
                "-keystore", caKeystore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD));
        for (Map.Entry<String, List<String>> e : serverNames.entrySet()) {
            String cn = e.getKey();
            Path keystore = dir.resolve(cn + ".p12");
            Path request = dir.resolve(cn + ".csr");
            commands.add(List.of("-genkeypair", "-alias", cn, "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=" + cn, "-validity", "2",
                    "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD));
            commands.add(List.of("-certreq", "-alias", cn, "-file", request.toString(),
                    "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD));
            List<String> gencert = new ArrayList<>(List.of("-gencert", "-rfc", "-alias", CA_ALIAS, "-validity", "2",
                    "-infile", request.toString(), "-outfile", dir.resolve(cn + ".pem").toString(),
                    "-keystore", caKeystore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD));
            if (!e.getValue().isEmpty()) {
                gencert.add("-ext");
                gencert.add("san=" + e.getValue().stream()
                        .map(n -> (Character.isDigit(n.charAt(0)) ? "ip:" : "dns:") + n).collect(Collectors.joining(",")));
            }
            commands.add(gencert);
        }
        keytool(commands);
        try {
            X509Certificate ca = certificates(Files.readAllBytes(caPem)).get(0);
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry(CA_ALIAS, ca);
            Path truststore = dir.resolve("truststore.p12");
            try (OutputStream out = Files.newOutputStream(truststore)) {
                trust.store(out, PASSWORD.toCharArray());
            }
            Map<String, Path> keystores = new LinkedHashMap<>();
            for (String cn : serverNames.keySet()) {
                keystores.put(cn, chain(dir, cn, ca));
            }
            return new TestCertificateAuthority(truststore, keystores);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot write the test truststore and keystores: " + e, e);
        }
    }

    /** The truststore (PKCS12, {@link #PASSWORD}) with the CA's certificate: what every client and broker trusts. */
    public Path truststore() {
        return truststore;
    }

    /** The keystore (PKCS12, {@link #PASSWORD}) of a common name given to {@link #create}. */
    public Path keystore(String commonName) {
        Path keystore = keystores.get(commonName);
        if (keystore == null) {
            throw new IllegalArgumentException("no certificate for '" + commonName + "'; issued: " + keystores.keySet());
        }
        return keystore;
    }

    /**
     * Replaces the self-signed certificate of a key entry by the chain [signed, CA] (what keytool
     * -importcert of a certificate reply does).
     */
    private static Path chain(Path dir, String cn, X509Certificate ca) throws IOException, GeneralSecurityException {
        Path keystore = dir.resolve(cn + ".p12");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        Key key = ks.getKey(cn, PASSWORD.toCharArray());
        X509Certificate leaf = certificates(Files.readAllBytes(dir.resolve(cn + ".pem"))).get(0);
        ks.setKeyEntry(cn, key, PASSWORD.toCharArray(), new Certificate[] {leaf, ca});
        try (OutputStream out = Files.newOutputStream(keystore)) {
            ks.store(out, PASSWORD.toCharArray());
        }
        return keystore;
    }

    private static List<X509Certificate> certificates(byte[] pem) throws GeneralSecurityException {
        return CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem)).stream()
                .map(X509Certificate.class::cast).toList();
    }

    /**
     * Runs keytool commands in order in one JVM of the JDK this one runs on ({@link KeytoolBatch}:
     * a keytool start costs a JVM start, a second or two on a busy machine); a failure names the
     * command and keytool's output.
     */
    static void keytool(List<List<String>> commands) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        try {
            Path script = Files.createTempFile("rlstream-keytool-", ".txt");
            try {
                // one command a line, its arguments separated by tabs (paths and names here have none)
                Files.writeString(script, commands.stream().map(c -> String.join("\t", c)).collect(Collectors.joining("\n")));
                String classes = Path.of(TestCertificateAuthority.class.getProtectionDomain().getCodeSource().getLocation()
                        .toURI()).toString();
                List<String> command = List.of(java.toString(), "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                        "--add-exports", "java.base/sun.security.tools.keytool=ALL-UNNAMED",
                        "-cp", classes, KeytoolBatch.class.getName(), script.toString());
                Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
                p.getOutputStream().close();
                byte[] output = p.getInputStream().readAllBytes();
                if (!p.waitFor(KEYTOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("keytool did not finish in " + KEYTOOL_TIMEOUT_SECONDS + " s");
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException("keytool failed (exit " + p.exitValue() + "):\n"
                            + new String(output, StandardCharsets.UTF_8));
                }
            } finally {
                Files.deleteIfExists(script);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run keytool with " + java, e);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
    }

    /**
     * The child JVM's main: runs each line of the file as the arguments of one keytool command
     * ({@code sun.security.tools.keytool.Main}, exported to it by {@code --add-exports}), printing
     * the command first; keytool itself exits with its status on the first failure.
     */
    public static final class KeytoolBatch {
        public static void main(String[] args) throws Exception {
            java.lang.reflect.Method keytool = Class.forName("sun.security.tools.keytool.Main").getMethod("main", String[].class);
            for (String line : Files.readAllLines(Path.of(args[0]))) {
                String[] command = line.split("\t");
                System.out.println("keytool " + String.join(" ", command));
                keytool.invoke(null, (Object) command);
            }
        }
    }
}
