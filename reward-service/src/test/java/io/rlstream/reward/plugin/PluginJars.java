package io.rlstream.reward.plugin;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds a verifier plug-in jar as a user would, inside a test: Java sources compiled with the
 * JDK's compiler against this module's class path, plus the ServiceLoader file naming the
 * provider, into a jar in a temporary folder.
 */
public final class PluginJars {

    private PluginJars() {
    }

    /**
     * @param sources   class name (e.g. {@code acme.LengthProvider}) → Java source
     * @param providers the provider classes to list in META-INF/services
     * @return the jar
     */
    public static Path build(Path dir, String jarName, Map<String, String> sources, List<String> providers)
            throws IOException {
        Path src = Files.createDirectories(dir.resolve(jarName + "-src"));
        Path classes = Files.createDirectories(dir.resolve(jarName + "-classes"));
        String[] args = new String[sources.size() + 6];
        int i = 0;
        args[i++] = "-d";
        args[i++] = classes.toString();
        args[i++] = "-cp";
        args[i++] = System.getProperty("java.class.path");
        args[i++] = "--release";
        args[i++] = "17";
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path file = src.resolve(e.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue());
            args[i++] = file.toString();
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("no Java compiler in this JVM (a JRE, not a JDK)");
        }
        int rc = javac.run(null, null, null, args);
        if (rc != 0) {
            throw new IllegalStateException("javac failed with exit code " + rc + " (see stderr)");
        }
        Path jar = dir.resolve(jarName + ".jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                Stream<Path> files = Files.walk(classes)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
            out.putNextEntry(new JarEntry("META-INF/services/io.rlstream.reward.verify.VerifierProvider"));
            OutputStream o = out;
            o.write((String.join("\n", providers) + "\n").getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return jar;
    }

    /** A class loader over {@code jars} whose parent is this test's loader (rlstream's classes). */
    public static URLClassLoader loader(Path... jars) throws IOException {
        URL[] urls = new URL[jars.length];
        for (int i = 0; i < jars.length; i++) {
            urls[i] = jars[i].toUri().toURL();
        }
        return new URLClassLoader(urls, PluginJars.class.getClassLoader());
    }

    /**
     * A provider called {@code name} whose verifier scores a response by its length in characters
     * times {@code factor}, and the settings' correct score when it contains the reference: a rule a
     * test can compute by hand.
     */
    public static String lengthProvider(String pkg, String simpleName, String name, double factor) {
        return """
                package %1$s;

                import io.rlstream.reward.verify.Verification;
                import io.rlstream.reward.verify.Verifier;
                import io.rlstream.reward.verify.VerifierProvider;
                import io.rlstream.reward.verify.VerifierSettings;

                public final class %2$s implements VerifierProvider {
                    public String name() { return "%3$s"; }
                    public Verifier create(VerifierSettings s) {
                        return new Verifier() {
                            public String name() { return "%3$s"; }
                            public Verification verify(String response, String reference) {
                                double bonus = !reference.isEmpty() && response.contains(reference) ? s.correct() : 0.0;
                                return Verification.scored(response.length() * %4$s + bonus, "", "length rule");
                            }
                        };
                    }
                }
                """.formatted(pkg, simpleName, name, Double.toString(factor));
    }
}
