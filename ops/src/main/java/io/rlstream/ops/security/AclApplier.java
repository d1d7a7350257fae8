package io.rlstream.ops.security;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;

/** Creates the ACLs a cluster does not have yet through the Admin API; the ones it has are left alone. */
public final class AclApplier {

    private final Admin admin;
    private final long timeoutMs;

    public AclApplier(Admin admin, long timeoutMs) {
        this.admin = admin;
        this.timeoutMs = timeoutMs;
    }

    /** What {@link #apply} did: the bindings it created and the ones that were there already. */
    public record Result(List<AclBinding> created, List<AclBinding> present) {
    }

    /** The cluster refused (no authorizer, not an admin) or did not answer; the message says which. */
    public static final class Refused extends Exception {
        Refused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public Result apply(Collection<AclBinding> wanted) throws Refused {
        try {
            Set<AclBinding> existing = new HashSet<>(
                    admin.describeAcls(AclBindingFilter.ANY).values().get(timeoutMs, TimeUnit.MILLISECONDS));
            List<AclBinding> missing = new ArrayList<>();
            List<AclBinding> present = new ArrayList<>();
            for (AclBinding b : wanted) {
                (existing.contains(b) ? present : missing).add(b);
            }
            if (!missing.isEmpty()) {
                admin.createAcls(missing).all().get(timeoutMs, TimeUnit.MILLISECONDS);
            }
            return new Result(List.copyOf(missing), List.copyOf(present));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new Refused("the cluster refused the ACLs: " + cause.getClass().getSimpleName() + ": "
                    + cause.getMessage() + hint(cause), cause);
        } catch (TimeoutException e) {
            throw new Refused("no answer from the cluster in " + timeoutMs
                    + " ms; check --bootstrap-server and the security settings of --command-config", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refused("interrupted", e);
        }
    }

    private static String hint(Throwable cause) {
        if (cause instanceof org.apache.kafka.common.errors.SecurityDisabledException) {
            return " (the brokers run without an authorizer: set authorizer.class.name, e.g. "
                    + "org.apache.kafka.metadata.authorizer.StandardAuthorizer)";
        }
        if (cause instanceof org.apache.kafka.common.errors.ClusterAuthorizationException) {
            return " (run it as a super user or a principal with ALTER on the cluster: --command-config)";
        }
        return "";
    }
}
