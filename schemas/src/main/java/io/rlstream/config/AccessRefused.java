package io.rlstream.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;

/**
 * Kafka's authorization failures as one line that names the principal and what it may not use
 * (issue 21): {@code principal User:rlstream-worker may not use topic rl.training-batches
 * (TopicAuthorizationException); grant it (rlstream acls) or run the service as the principal
 * that has it}. A service that gets one stops with this line as its reason instead of retrying
 * or printing a stack trace: no retry makes an ACL appear.
 */
public final class AccessRefused {

    private static final Pattern USERNAME = Pattern.compile("username\\s*=\\s*\"([^\"]*)\"");

    private AccessRefused() {
    }

    /** The authorization failure in this exception's cause chain, if there is one. */
    public static Optional<AuthorizationException> find(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AuthorizationException a) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /**
     * One line for an authorization failure of a client built from these settings (the
     * principal is read from {@code sasl.jaas.config}'s username when there is one).
     */
    public static String describe(AuthorizationException e, Map<String, ?> clientProps) {
        String what;
        if (e instanceof TopicAuthorizationException t && !t.unauthorizedTopics().isEmpty()) {
            what = (t.unauthorizedTopics().size() == 1 ? "topic " : "topics ")
                    + String.join(", ", new java.util.TreeSet<>(t.unauthorizedTopics()));
        } else if (e instanceof GroupAuthorizationException g && g.groupId() != null) {
            what = "consumer group " + g.groupId();
        } else if (e instanceof TransactionalIdAuthorizationException) {
            Object id = clientProps.get("transactional.id");
            what = id == null ? "its transactional id" : "transactional id " + id;
        } else if (e instanceof ClusterAuthorizationException) {
            what = "the cluster";
        } else {
            what = "a resource (" + e.getMessage() + ")";
        }
        return principal(clientProps) + " may not use " + what + " (" + e.getClass().getSimpleName()
                + "); grant it (rlstream acls prints every service's ACLs) or run the service as the principal that has it";
    }

    /**
     * {@code principal User:NAME} from the SASL settings; with mTLS {@code principal of certificate
     * SUBJECT} from the keystore (the brokers' {@code ssl.principal.mapping.rules} make the user name
     * from it); else which settings the broker authenticated.
     */
    static String principal(Map<String, ?> clientProps) {
        Object jaas = clientProps.get("sasl.jaas.config");
        if (jaas != null) {
            Matcher m = USERNAME.matcher(jaas.toString());
            if (m.find()) {
                return "principal User:" + m.group(1);
            }
        }
        Object protocol = clientProps.get("security.protocol");
        Optional<String> subject = certificateSubject(clientProps);
        if (subject.isPresent() && protocol != null && protocol.toString().toUpperCase(Locale.ROOT).endsWith("SSL")) {
            return "principal of certificate " + subject.get();
        }
        return "the principal of these client settings (security.protocol=" + (protocol == null ? "PLAINTEXT" : protocol) + ")";
    }

    /** The subject of the client certificate in ssl.keystore.location (the first key entry's), if it can be read. */
    static Optional<String> certificateSubject(Map<String, ?> clientProps) {
        Object location = clientProps.get("ssl.keystore.location");
        Object password = clientProps.get("ssl.keystore.password");
        if (location == null) {
            return Optional.empty();
        }
        Object type = clientProps.get("ssl.keystore.type");
        try (InputStream in = Files.newInputStream(Path.of(location.toString()))) {
            KeyStore ks = KeyStore.getInstance(type == null ? "PKCS12" : type.toString());
            ks.load(in, password == null ? null : secret(password).toCharArray());
            for (String alias : Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(alias) && ks.getCertificate(alias) instanceof X509Certificate c) {
                    return Optional.of(c.getSubjectX500Principal().getName());
                }
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            // not readable here (another type, a PEM keystore): say less rather than fail the report
        }
        return Optional.empty();
    }

    private static String secret(Object password) {
        return password instanceof Password p ? p.value() : password.toString();
    }
}
