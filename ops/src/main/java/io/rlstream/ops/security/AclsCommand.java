package io.rlstream.ops.security;

import io.rlstream.config.CommandExecution;
import io.rlstream.config.ServiceConfig;
import io.rlstream.config.ServiceOptions;
import java.io.PrintStream;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code rlstream acls}: prints the least-privilege ACLs of every service ({@link AclSet}) as a
 * table and as kafka-acls.sh commands, and with {@code --apply} creates the missing ones through
 * the Admin API.
 */
@Command(name = "acls", sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Prints the ACLs each rlstream service needs on a cluster with an authorizer, one principal per service, "
                    + "as a table and as kafka-acls.sh commands; with --apply creates the missing ones "
                    + "(idempotent: run it again and it creates nothing).",
            "Names (topics, Streams application ids, the workers' group) come from the same settings the services "
                    + "read: give the services' properties file with --config, or --set KEY=VALUE."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  rlstream acls",
            "  rlstream acls --principal worker=User:gpu-pool-a --set topic.prefix=prod.",
            "  rlstream acls --apply --bootstrap-server b1:9092 --command-config admin.conf",
            "",
            "Exit status: 0 done, 1 the cluster refused or could not be reached, 2 bad flags."})
public final class AclsCommand implements Callable<Integer> {

    @Mixin
    ServiceOptions cluster;

    @Option(names = "--principal", paramLabel = "SERVICE=PRINCIPAL",
            description = "The principal a service connects as (repeatable); default User:rlstream-SERVICE. "
                    + "Services: prompts, dispatcher, worker, rewards, processors, trainer, dashboard, connect.")
    Map<String, String> principals = new LinkedHashMap<>();

    @Option(names = "--apply", description = "Create the ACLs that are missing through the Admin API, as the admin "
            + "the --command-config file authenticates (a super user, or one with ALTER on the cluster).")
    boolean apply;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--timeout-ms", paramLabel = "MS", defaultValue = "30000",
            description = "How long --apply waits for the cluster (default ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Spec
    CommandSpec spec;

    private PrintStream out;
    private PrintStream err;

    /** Runs the command with these arguments; returns the exit status (0, 1, or 2 for bad flags). */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        AclsCommand command = new AclsCommand();
        command.out = out;
        command.err = err;
        return CommandExecution.execute(command, "rlstream acls", args, out, err);
    }

    @Override
    public Integer call() {
        Map<RlstreamService, String> byService = new EnumMap<>(RlstreamService.class);
        principals.forEach((service, principal) -> {
            try {
                byService.put(RlstreamService.parse(service), principal);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--principal " + service + "=" + principal + ": "
                        + e.getMessage());
            }
        });
        Map<String, String> settings;
        AclSet acls;
        try {
            settings = cluster.settings(AclSet.DEFINITION);
            acls = AclSet.of(settings, byService);
        } catch (RuntimeException e) {
            // a bad principal, setting or settings file: a usage error, said in one line
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        printTable(acls);
        out.println();
        printCommands(acls, settings);
        if (!apply) {
            return 0;
        }
        out.println();
        try (Admin admin = Admin.create(adminProps(settings))) {
            AclApplier.Result result = new AclApplier(admin, timeoutMs).apply(acls.bindings());
            result.created().forEach(b -> out.println("created  " + line(b)));
            out.printf(Locale.ROOT, "%d ACLs created, %d already there%n", result.created().size(),
                    result.present().size());
            return 0;
        } catch (AclApplier.Refused e) {
            err.println("rlstream acls: " + e.getMessage());
            return 1;
        }
    }

    private void printTable(AclSet acls) {
        for (AclSet.ServiceAcls s : acls.services()) {
            out.println(s.principal() + "  (" + s.service().job() + ")");
            out.printf(Locale.ROOT, "  %-17s %-9s %-34s %s%n", "RESOURCE", "PATTERN", "NAME", "OPERATION");
            for (AclBinding b : s.bindings()) {
                out.printf(Locale.ROOT, "  %-17s %-9s %-34s %s%n", b.pattern().resourceType(),
                        b.pattern().patternType(), b.pattern().name(), b.entry().operation());
            }
        }
    }

    private void printCommands(AclSet acls, Map<String, String> settings) {
        out.println("# The same ACLs as kafka-acls.sh commands (run as an admin):");
        String target = "--bootstrap-server " + settings.getOrDefault(ServiceConfig.BOOTSTRAP_SERVERS, "127.0.0.1:9092")
                + (cluster.config == null ? "" : " --command-config " + cluster.config);
        for (AclBinding b : acls.bindings()) {
            out.println(kafkaAclsCommand(b, target));
        }
    }

    /** One binding as a kafka-acls.sh --add command. */
    static String kafkaAclsCommand(AclBinding b, String target) {
        String resource = switch (b.pattern().resourceType()) {
            case TOPIC -> "--topic ";
            case GROUP -> "--group ";
            case TRANSACTIONAL_ID -> "--transactional-id ";
            case CLUSTER -> "--cluster";
            default -> throw new IllegalArgumentException("no kafka-acls.sh flag for " + b.pattern().resourceType());
        };
        String name = b.pattern().resourceType() == ResourceType.CLUSTER ? "" : b.pattern().name();
        String pattern = b.pattern().patternType() == PatternType.PREFIXED ? " --resource-pattern-type prefixed" : "";
        return "kafka-acls.sh " + target + " --add --allow-principal " + b.entry().principal() + " --operation "
                + camel(b.entry().operation().name()) + " " + resource + name + pattern;
    }

    /** READ -> Read, IDEMPOTENT_WRITE -> IdempotentWrite, as kafka-acls.sh spells operations. */
    private static String camel(String constant) {
        StringBuilder s = new StringBuilder();
        for (String part : constant.split("_")) {
            s.append(part.charAt(0)).append(part.substring(1).toLowerCase(Locale.ROOT));
        }
        return s.toString();
    }

    static String line(AclBinding b) {
        return String.format(Locale.ROOT, "%s %s %s %s %s", b.entry().principal(), b.entry().operation(),
                b.pattern().resourceType(), b.pattern().patternType(), b.pattern().name());
    }

    /**
     * The admin's client settings: the {@code kafka.}-prefixed ones (ServiceConfig.clientProps) and,
     * as kafka-acls.sh's --command-config file has them, unprefixed admin client keys
     * (security.protocol, sasl.*, ssl.*).
     */
    static Map<String, Object> adminProps(Map<String, String> settings) {
        Map<String, Object> props = new LinkedHashMap<>();
        settings.forEach((k, v) -> {
            if (AdminClientConfig.configNames().contains(k)) {
                props.put(k, v);
            }
        });
        props.putAll(new ServiceConfig(AclSet.DEFINITION, settings).clientProps());
        return props;
    }
}
