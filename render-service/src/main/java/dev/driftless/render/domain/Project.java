package dev.driftless.render.domain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.driftless.events.ProjectRules;
import dev.driftless.events.RepositoryUrls;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A {@code Project} from the catalog: what the applications that name it may read and where they may apply. An
 * application that names none is in the built-in {@link #DEFAULT default} project (any source, its own destination
 * namespace only, no cluster-scoped kind); a catalog may declare its own {@code default} to replace it.
 *
 * @param name the project's name, a DNS label
 * @param sourceRepos the repositories its applications may render from: normalised URL patterns where {@code *}
 *     matches within one path segment, or {@code *} alone for any; empty for none
 * @param destinations where its applications may apply, each with the ServiceAccount to act as there
 * @param clusterResources the cluster-scoped kinds its applications may apply (none when empty)
 * @param deniedResources the namespaced kinds its applications may not apply
 * @param syncWindows when its applications may sync automatically
 * @param sourceNamespaces the namespaces (names or {@code *} patterns) besides render-service's own whose Application
 *     resources may name this project (Argo CD's {@code sourceNamespaces}); none when empty
 */
public record Project(
        String name,
        List<String> sourceRepos,
        List<Destination> destinations,
        List<ProjectRules.KindRule> clusterResources,
        List<ProjectRules.KindRule> deniedResources,
        List<dev.driftless.events.SyncWindow> syncWindows,
        List<String> sourceNamespaces) {

    /** The name of the project of applications that name none. */
    public static final String DEFAULT_NAME = "default";

    /**
     * The built-in default project: any source; for destinations, only an application's own destination namespace
     * (checked in {@link #destinationFor}); no cluster-scoped kinds.
     */
    public static final Project DEFAULT =
            new Project(DEFAULT_NAME, List.of("*"), null, List.of(), List.of(), List.of(), List.of());

    private static final Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$");
    private static final Pattern GLOB = Pattern.compile("^[a-z0-9*]([-a-z0-9*]{0,61}[a-z0-9*])?$");

    public Project {
        sourceRepos = List.copyOf(sourceRepos);
        destinations = destinations == null ? null : List.copyOf(destinations);
        clusterResources = List.copyOf(clusterResources);
        deniedResources = List.copyOf(deniedResources);
        syncWindows = syncWindows == null ? List.of() : List.copyOf(syncWindows);
        sourceNamespaces = sourceNamespaces == null ? List.of() : List.copyOf(sourceNamespaces);
    }

    /** Whether an Application resource in {@code namespace} (not render-service's own) may name this project. */
    public boolean allowsApplicationsIn(String namespace) {
        return sourceNamespaces.stream().anyMatch(pattern -> glob(pattern, namespace));
    }

    /**
     * A place a project's applications may apply to.
     *
     * @param cluster cluster name pattern ({@code *} matches any part), {@code *} by default
     * @param namespace namespace pattern ({@code *} matches any part)
     * @param serviceAccount the ServiceAccount, in the destination namespace, sync-service acts as there; {@code null}
     *     for sync-service's own identity
     */
    public record Destination(String cluster, String namespace, String serviceAccount) {

        boolean covers(String cluster, String namespace) {
            return glob(this.cluster, cluster) && glob(this.namespace, namespace);
        }
    }

    /** Whether an application of this project may render from this (normalised) repository. */
    public boolean allowsSource(String repository) {
        if (repository.contains("/./")
                || repository.contains("/../")
                || repository.endsWith("/..")
                || repository.endsWith("/.")) {
            return false; // a dot segment means another repository than the one the pattern names
        }
        for (String pattern : sourceRepos) {
            if (pattern.equals("*") || segmentGlob(pattern, repository)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The destination of this project that lets an application of that destination namespace (cluster and
     * namespace) apply to namespace {@code namespace}, or empty when none does. In the built-in default project only
     * the application's own destination namespace is allowed.
     */
    public Optional<Destination> destinationFor(String cluster, String destinationNamespace, String namespace) {
        if (destinations == null) {
            return namespace.equals(destinationNamespace)
                    ? Optional.of(new Destination("*", namespace, null))
                    : Optional.empty();
        }
        return destinations.stream().filter(d -> d.covers(cluster, namespace)).findFirst();
    }

    /** What sync-service enforces for an application of this project that applies to that destination. */
    public ProjectRules rules(Destination destination, String destinationNamespace) {
        String serviceAccount =
                destination.serviceAccount() == null ? null : destinationNamespace + "/" + destination.serviceAccount();
        return new ProjectRules(name, clusterResources, deniedResources, serviceAccount, syncWindows);
    }

    /**
     * Reads a {@code Project} declaration's {@code metadata.name} and {@code spec}.
     *
     * @throws IllegalArgumentException naming the field at fault
     */
    static Project parse(JsonNode node) {
        String name = node.path("metadata").path("name").asText("");
        if (!DNS_LABEL.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "metadata.name: " + (name.isEmpty() ? "is required" : name + " is not a DNS label (a-z, 0-9, -)"));
        }
        JsonNode spec = node.path("spec");
        List<String> sources = new ArrayList<>();
        for (JsonNode each : list(spec, "sourceRepos")) {
            String pattern = each.asText("").strip();
            if (!each.isTextual() || pattern.isEmpty()) {
                throw new IllegalArgumentException("spec.sourceRepos: each entry is a repository URL pattern or *");
            }
            if (!pattern.equals("*")) {
                try {
                    pattern = RepositoryUrls.normalise(pattern);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("spec.sourceRepos: " + pattern + ": " + e.getMessage());
                }
            }
            sources.add(pattern);
        }
        List<Destination> destinations = new ArrayList<>();
        for (JsonNode each : list(spec, "destinations")) {
            String cluster = each.path("cluster").asText("*");
            String namespace = each.path("namespace").asText("");
            if (!GLOB.matcher(namespace).matches()) {
                throw new IllegalArgumentException("spec.destinations: namespace "
                        + (namespace.isEmpty()
                                ? "is required"
                                : namespace + " is not a namespace name or pattern (a-z, 0-9, -, *)"));
            }
            JsonNode account = each.path("serviceAccount");
            if (!account.isMissingNode()
                    && !account.isNull()
                    && !DNS_LABEL.matcher(account.asText()).matches()) {
                throw new IllegalArgumentException(
                        "spec.destinations: serviceAccount " + account.asText() + " is not a ServiceAccount name");
            }
            destinations.add(new Destination(cluster, namespace, account.isTextual() ? account.asText() : null));
        }
        return new Project(
                name,
                sources,
                destinations,
                kinds(spec, "clusterResourceWhitelist"),
                kinds(spec, "namespaceResourceBlacklist"),
                windows(spec),
                sourceNamespaces(spec));
    }

    /** {@code spec.sourceNamespaces}: namespace names or patterns. */
    private static List<String> sourceNamespaces(JsonNode spec) {
        List<String> namespaces = new ArrayList<>();
        for (JsonNode each : list(spec, "sourceNamespaces")) {
            if (!each.isTextual() || !GLOB.matcher(each.asText()).matches()) {
                throw new IllegalArgumentException(
                        "spec.sourceNamespaces: " + each + " is not a namespace name or pattern (a-z, 0-9, -, *)");
            }
            namespaces.add(each.asText());
        }
        return namespaces;
    }

    private static final com.cronutils.parser.CronParser CRON = new com.cronutils.parser.CronParser(
            com.cronutils.model.definition.CronDefinitionBuilder.instanceDefinitionFor(
                    com.cronutils.model.CronType.UNIX));

    /** {@code spec.syncWindows}, as Argo CD users write them, each checked as sync-service will read it. */
    private static List<dev.driftless.events.SyncWindow> windows(JsonNode spec) {
        List<dev.driftless.events.SyncWindow> windows = new ArrayList<>();
        int i = 0;
        for (JsonNode each : list(spec, "syncWindows")) {
            String at = "spec.syncWindows[" + i++ + "]";
            String kind = each.path("kind").asText("");
            if (!kind.equals("allow") && !kind.equals("deny")) {
                throw new IllegalArgumentException(at + ".kind: must be allow or deny");
            }
            String schedule = each.path("schedule").asText("");
            try {
                CRON.parse(schedule).validate();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(at + ".schedule: " + schedule
                        + " is not a five-field cron expression (minute hour day month weekday): " + e.getMessage());
            }
            List<String> applications = new ArrayList<>();
            for (JsonNode app : list(each, "applications")) {
                if (!app.isTextual() || !GLOB.matcher(app.asText()).matches()) {
                    throw new IllegalArgumentException(at + ".applications: " + app + " is not a name or pattern");
                }
                applications.add(app.asText());
            }
            String zone =
                    each.path("timeZone").isTextual() ? each.path("timeZone").asText() : null;
            if (zone != null) {
                try {
                    java.time.ZoneId.of(zone);
                } catch (java.time.DateTimeException e) {
                    throw new IllegalArgumentException(at + ".timeZone: " + zone + " is not a time zone");
                }
            }
            if (each.has("manualSync") && !each.path("manualSync").isBoolean()) {
                throw new IllegalArgumentException(at + ".manualSync: must be true or false");
            }
            dev.driftless.events.SyncWindow window = new dev.driftless.events.SyncWindow(
                    kind,
                    schedule,
                    each.path("duration").asText(""),
                    applications,
                    each.path("manualSync").asBoolean(false),
                    zone);
            try {
                window.length();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(at + ".duration: " + e.getMessage());
            }
            windows.add(window);
        }
        return List.copyOf(windows);
    }

    private static Iterable<JsonNode> list(JsonNode spec, String field) {
        JsonNode value = spec.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return List.of();
        }
        if (!value.isArray()) {
            throw new IllegalArgumentException("spec." + field + ": must be a list");
        }
        return value;
    }

    private static List<ProjectRules.KindRule> kinds(JsonNode spec, String field) {
        List<ProjectRules.KindRule> rules = new ArrayList<>();
        for (JsonNode each : list(spec, field)) {
            if (!each.isObject()
                    || !each.path("kind").isTextual()
                    || each.path("kind").asText().isBlank()) {
                throw new IllegalArgumentException("spec." + field
                        + ": each entry is { group: <API group, \"\" for core, or *>, kind: <kind or *> }");
            }
            rules.add(new ProjectRules.KindRule(
                    each.path("group").asText(""), each.path("kind").asText()));
        }
        return rules;
    }

    /** A glob where {@code *} matches any run of characters (names have no separators). */
    private static boolean glob(String pattern, String value) {
        return Pattern.compile(quoted(pattern, ".*")).matcher(value).matches();
    }

    /** A glob where {@code *} matches within one path segment, never across a {@code /}. */
    private static boolean segmentGlob(String pattern, String value) {
        return Pattern.compile(quoted(pattern, "[^/]*")).matcher(value).matches();
    }

    private static String quoted(String pattern, String star) {
        StringBuilder regex = new StringBuilder();
        for (String part : pattern.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append(star);
            }
            regex.append(Pattern.quote(part));
        }
        return regex.toString();
    }
}
