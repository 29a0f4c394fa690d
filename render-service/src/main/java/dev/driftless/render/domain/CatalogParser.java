package dev.driftless.render.domain;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.driftless.events.RepositoryUrls;
import dev.driftless.events.Target;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads {@code Application} and {@code Project} declarations ({@code apiVersion: driftless.dev/v1alpha1}) from catalog
 * files and checks them, each application against its project, with errors that name the file, the document and the
 * field. An application its project does not allow (source, destination, namespaces) is left out, so it is never
 * rendered. Pure: the caller reads the files.
 */
public final class CatalogParser {

    /** The API version of an application declaration. */
    public static final String API_VERSION = "driftless.dev/v1alpha1";

    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$");

    private static final Set<String> RENDER_TYPES = Set.of("auto", "directory", "kustomize", "helm");

    /** The applications of a catalog, and what was wrong with the declarations that were left out. */
    public record Result(List<Application> applications, List<String> errors) {}

    private CatalogParser() {}

    /** An application as declared, before its project is checked. */
    private record Declared(Application application, String project, String appliedBy) {}

    /**
     * The label an application's render puts on every object it applies: on an Application resource, the application
     * that applied it (app of apps), whose project it must stay in.
     */
    public static final String APPLIED_BY = "driftless.dev/application";

    /** Where resources read from the cluster are named from ({@code cluster/<namespace>/<kind>/<name>}). */
    public static final String CLUSTER_PREFIX = "cluster/";

    /** A project as declared, and where. */
    private record DeclaredProject(Project project, String where) {}

    /** A declaration that could not be read: where, its kind if known, its name if known, and what is wrong. */
    private record Invalid(String where, String kind, String name, String error) {}

    /** Parses every file (name → content) and checks names are unique across them, in file-name order. */
    public static Result parse(Map<String, String> files) {
        return parse(files, null);
    }

    /**
     * Parses every file (name → content) and checks names are unique across them, in file-name order; an Application
     * resource in another namespace than {@code homeNamespace} (render-service's, where Projects are read) is kept
     * only when its project's {@code spec.sourceNamespaces} allows that namespace ({@code null}: every namespace is
     * home).
     */
    public static Result parse(Map<String, String> files, String homeNamespace) {
        List<Declared> declared = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        Map<String, DeclaredProject> projects = new LinkedHashMap<>();
        java.util.Set<String> invalidProjects = new java.util.HashSet<>();
        Map<String, String> seen = new LinkedHashMap<>();
        // the directory's files first: a resource in the cluster never takes the name of a declaration there
        files.entrySet().stream()
                .sorted(java.util.Comparator.comparing(
                                (Map.Entry<String, String> f) -> f.getKey().startsWith(CLUSTER_PREFIX))
                        .thenComparing(Map.Entry::getKey))
                .forEach(file -> {
                    for (Object parsed : parseFile(file.getKey(), file.getValue())) {
                        if (parsed instanceof Invalid invalid) {
                            errors.add(invalid.where() + ": " + invalid.error());
                            if ("Project".equals(invalid.kind()) && invalid.name() != null) {
                                invalidProjects.add(invalid.name());
                            }
                        } else if (parsed instanceof DeclaredProject project) {
                            DeclaredProject first =
                                    projects.putIfAbsent(project.project().name(), project);
                            if (first != null) {
                                errors.add(project.where() + ": metadata.name: project "
                                        + project.project().name() + " is already declared in " + first.where());
                            }
                        } else if (parsed instanceof Declared found) {
                            Declared each = qualified(found, homeNamespace);
                            if (each == null) {
                                errors.add(found.application().source() + ": metadata.name: "
                                        + found.application().declaredIn() + "."
                                        + found.application().name()
                                        + " (its name in Driftless, namespace first) is longer than 63 characters");
                                continue;
                            }
                            Application app = each.application();
                            String first = seen.putIfAbsent(app.name(), app.source());
                            if (first != null) {
                                errors.add(app.source() + ": metadata.name: application " + app.name()
                                        + " is already declared in " + first);
                            } else {
                                declared.add(each);
                            }
                        }
                    }
                });
        List<Application> applications = new ArrayList<>();
        for (Declared each : declared) {
            try {
                applications.add(inProject(each, projects, invalidProjects, homeNamespace));
            } catch (IllegalArgumentException e) {
                errors.add(each.application().source() + ": " + e.getMessage());
            }
        }
        Map<String, String> projectOf = new LinkedHashMap<>();
        declared.forEach(d -> projectOf.put(d.application().name(), d.project()));
        java.util.Set<String> kept = new java.util.HashSet<>();
        applications.forEach(a -> kept.add(a.name()));
        for (Declared each : declared) {
            String parent = each.appliedBy();
            if (parent != null && kept.contains(each.application().name())) {
                // app of apps: an application's render may register applications only in its own project
                if (!kept.contains(parent) || !each.project().equals(projectOf.get(parent))) {
                    errors.add(each.application().source() + ": spec.project: "
                            + each.application().name()
                            + " was applied by " + parent + " and may only be in its project "
                            + projectOf.getOrDefault(parent, "(" + parent + " is not in the catalog)")
                            + ", not " + each.project());
                    applications.removeIf(
                            a -> a.name().equals(each.application().name()));
                }
            }
        }
        List<Application> resolvable = Dependencies.resolvable(applications, errors);
        return new Result(resolvable, List.copyOf(errors));
    }

    /**
     * The declaration named as Driftless knows it: an Application resource in a team's namespace (not
     * {@code homeNamespace}) is {@code <namespace>.<name>}, so it can never take the name of one declared where
     * Driftless runs nor of another team's; {@code null} when that name is longer than a label value may be.
     */
    private static Declared qualified(Declared declared, String homeNamespace) {
        Application app = declared.application();
        String namespace = app.declaredIn();
        if (namespace == null || homeNamespace == null || namespace.equals(homeNamespace)) {
            return declared;
        }
        String name = namespace + "." + app.name();
        if (name.length() > 63) {
            return null;
        }
        return new Declared(app.named(name), declared.project(), declared.appliedBy());
    }

    /**
     * The application with what its project lets it do, when the project allows its source, its destination and
     * every namespace it names.
     *
     * @throws IllegalArgumentException naming the field the project does not allow
     */
    private static Application inProject(
            Declared declared,
            Map<String, DeclaredProject> projects,
            java.util.Set<String> invalidProjects,
            String homeNamespace) {
        Application app = declared.application();
        String name = declared.project();
        DeclaredProject found = projects.get(name);
        Project project = found != null
                ? found.project()
                : Project.DEFAULT_NAME.equals(name) && !invalidProjects.contains(name) ? Project.DEFAULT : null;
        if (project == null) {
            throw new IllegalArgumentException("spec.project: project " + name
                    + (invalidProjects.contains(name) ? " is declared with errors" : " is not declared in the catalog")
                    + "; the application is not rendered");
        }
        String declaredIn = app.declaredIn();
        if (declaredIn != null
                && homeNamespace != null
                && !declaredIn.equals(homeNamespace)
                && !project.allowsApplicationsIn(declaredIn)) {
            throw new IllegalArgumentException("metadata.namespace: project " + name
                    + " does not allow Application resources in namespace " + declaredIn
                    + " (see its spec.sourceNamespaces)");
        }
        if (!project.allowsSource(app.repository())) {
            throw new IllegalArgumentException("spec.source.repoURL: project " + name + " does not allow repository "
                    + app.repository() + " (see its spec.sourceRepos)");
        }
        Target target = app.target();
        Project.Destination destination = project.destinationFor(
                        target.cluster(), target.namespace(), target.namespace())
                .orElseThrow(() -> new IllegalArgumentException("spec.destination: project " + name
                        + " does not allow namespace " + target.namespace() + " on cluster " + target.cluster()
                        + " (see its spec.destinations)"));
        for (String other : target.allowedNamespaces()) {
            if (project.destinationFor(target.cluster(), target.namespace(), other)
                    .isEmpty()) {
                throw new IllegalArgumentException("spec.syncPolicy.allowedNamespaces: project " + name
                        + " does not allow namespace " + other + " on cluster " + target.cluster()
                        + (project.destinations() == null
                                ? " (the default project allows the destination namespace only; declare a Project)"
                                : " (see its spec.destinations)"));
            }
        }
        Target governed = new Target(
                target.cluster(),
                target.namespace(),
                target.prune(),
                target.selfHeal(),
                target.allowEmpty(),
                target.createNamespace(),
                target.progressDeadlineSeconds(),
                target.forceConflicts(),
                target.allowedNamespaces(),
                project.rules(destination, target.namespace()),
                target.adopt(),
                target.ignoreDifferences(),
                target.automated(),
                target.suspended(),
                target.dependsOn());
        return new Application(
                app.name(),
                app.repository(),
                app.cloneUrl(),
                app.targetRevision(),
                app.path(),
                app.renderType(),
                governed,
                app.source(),
                app.helm(),
                app.verifySignature(),
                app.reconcileInterval());
    }

    private static List<Object> parseFile(String file, String content) {
        List<Object> out = new ArrayList<>();
        int document = 0;
        try (JsonParser parser = YAML.getFactory().createParser(content.getBytes(StandardCharsets.UTF_8));
                MappingIterator<JsonNode> docs = YAML.readValues(parser, JsonNode.class)) {
            while (docs.hasNextValue()) {
                JsonNode node = docs.nextValue();
                document++;
                if (node == null || node.isNull() || node.isMissingNode()) {
                    continue;
                }
                String where = file + (document > 1 ? " (document " + document + ")" : "");
                try {
                    out.add(declaration(where, node));
                } catch (IllegalArgumentException e) {
                    out.add(new Invalid(
                            where,
                            node.path("kind").asText(null),
                            node.path("metadata").path("name").asText(null),
                            e.getMessage()));
                }
            }
        } catch (JsonProcessingException e) {
            out.add(new Invalid(file, null, null, "not valid YAML: " + e.getOriginalMessage()));
        } catch (IOException e) {
            out.add(new Invalid(file, null, null, "cannot be read: " + e.getMessage()));
        }
        return out;
    }

    private static Object declaration(String where, JsonNode node) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("not an object");
        }
        if (!API_VERSION.equals(node.path("apiVersion").asText())) {
            throw new IllegalArgumentException("apiVersion: must be " + API_VERSION);
        }
        return switch (node.path("kind").asText()) {
            case "Application" -> application(where, node);
            case "Project" -> new DeclaredProject(Project.parse(node), where);
            default -> throw new IllegalArgumentException("kind: must be Application or Project");
        };
    }

    private static Declared application(String where, JsonNode node) {
        String name = required(node, "metadata", "name");
        if (!DNS_LABEL.matcher(name).matches()) {
            throw new IllegalArgumentException("metadata.name: " + name + " is not a DNS label (a-z, 0-9, -)");
        }
        JsonNode spec = node.path("spec");
        String repoUrl = required(node, "spec", "source", "repoURL");
        String repository;
        try {
            repository = RepositoryUrls.normalise(repoUrl);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("spec.source.repoURL: " + e.getMessage());
        }
        if (carriesCredentials(repoUrl)) {
            throw new IllegalArgumentException("spec.source.repoURL: must not carry credentials; give them to"
                    + " render-service in driftless.render.git.credentials");
        }
        JsonNode projectName = spec.path("project");
        if (!projectName.isMissingNode()
                && !projectName.isNull()
                && !DNS_LABEL.matcher(projectName.asText()).matches()) {
            throw new IllegalArgumentException("spec.project: must name a project (a DNS label)");
        }
        String revision = spec.path("source").path("targetRevision").asText("main");
        if (revision.isBlank()) {
            revision = "main";
        }
        if (!spec.path("source").has("path")) {
            throw new IllegalArgumentException("spec.source.path: is required (use \".\" for the repository root)");
        }
        String path;
        try {
            path = RepositoryPaths.normalise(spec.path("source").path("path").asText());
        } catch (RenderFailure e) {
            throw new IllegalArgumentException("spec.source.path: " + e.getMessage());
        }
        String renderType = spec.path("render").path("type").asText("auto");
        if (!RENDER_TYPES.contains(renderType)) {
            throw new IllegalArgumentException("spec.render.type: unknown render type " + renderType + " (supported: "
                    + String.join(", ", RENDER_TYPES.stream().sorted().toList()) + ")");
        }
        if (Application.isSemverRange(revision)) {
            try {
                org.semver4j.range.RangeListFactory.create(revision);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(
                        "spec.source.targetRevision: " + revision + " is not a semver range: " + e.getMessage());
            }
        }
        Application.HelmOptions helm = helm(spec.path("render").path("helm"));
        String namespace = required(node, "spec", "destination", "namespace");
        if (!DNS_LABEL.matcher(namespace).matches()) {
            throw new IllegalArgumentException("spec.destination.namespace: " + namespace + " is not a DNS label");
        }
        JsonNode policy = spec.path("syncPolicy");
        Target target = new Target(
                spec.path("destination").path("cluster").asText("default"),
                namespace,
                flag(policy, "prune", false),
                flag(policy, "selfHeal", false),
                flag(policy, "allowEmpty", false),
                flag(policy, "createNamespace", false),
                seconds(policy, "progressDeadlineSeconds"),
                policy.hasNonNull("forceConflicts") ? flag(policy, "forceConflicts", true) : null,
                namespaces(policy, "allowedNamespaces"),
                null,
                flag(policy, "adopt", false),
                ignoreDifferences(spec.get("ignoreDifferences")),
                flag(policy, "automated", true),
                suspend(spec.get("suspend")),
                dependsOn(spec.get("dependsOn")));
        JsonNode verify = spec.path("source").path("verifySignature");
        if (!verify.isMissingNode()
                && !verify.isNull()
                && (!verify.isTextual() || verify.asText().isBlank())) {
            throw new IllegalArgumentException(
                    "spec.source.verifySignature: must name a set of trusted signers (driftless.render.trusted-signers.<name>)");
        }
        return new Declared(
                new Application(
                        name,
                        repository,
                        repoUrl,
                        revision,
                        path,
                        renderType,
                        target,
                        where,
                        helm,
                        verify.isTextual() ? verify.asText() : null,
                        interval(policy)),
                projectName.isTextual() ? projectName.asText() : Project.DEFAULT_NAME,
                where.startsWith(CLUSTER_PREFIX)
                        ? node.path("metadata").path("labels").path(APPLIED_BY).asText(null)
                        : null);
    }

    /**
     * Whether a repository URL carries a secret: any user information in an {@code http(s)} URL (a token as user
     * name is a credential too), a password in any other. {@code git@host:path} and {@code ssh://git@host/path} name
     * a user, not a secret.
     */
    static boolean carriesCredentials(String url) {
        String trimmed = url.strip();
        if (!trimmed.contains("://")) {
            return false;
        }
        try {
            java.net.URI uri = new java.net.URI(trimmed);
            String userInfo = uri.getRawUserInfo();
            if (userInfo == null || userInfo.isEmpty()) {
                return false;
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
            return scheme.startsWith("http") || userInfo.contains(":");
        } catch (java.net.URISyntaxException e) {
            return false; // normalise refused it already
        }
    }

    /**
     * {@code spec.syncPolicy.interval}: a duration as Flux writes it ({@code 90s}, {@code 5m}, {@code 1h}, or
     * ISO-8601 {@code PT5M}), at least 10 s, or {@code 0} to never compare this application on a timer; absent, the
     * service's interval.
     */
    static java.time.Duration interval(JsonNode policy) {
        JsonNode value = policy.get("interval");
        if (value == null || value.isNull()) {
            return null;
        }
        String text = value.asText("").strip();
        java.time.Duration parsed;
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("(\\d+)(s|m|h)").matcher(text);
        try {
            if (text.equals("0")) {
                parsed = java.time.Duration.ZERO;
            } else if (m.matches()) {
                long amount = Long.parseLong(m.group(1));
                parsed = switch (m.group(2)) {
                    case "s" -> java.time.Duration.ofSeconds(amount);
                    case "m" -> java.time.Duration.ofMinutes(amount);
                    default -> java.time.Duration.ofHours(amount);
                };
            } else {
                parsed = java.time.Duration.parse(text.toUpperCase(java.util.Locale.ROOT));
            }
        } catch (RuntimeException e) {
            parsed = null;
        }
        if (parsed == null
                || parsed.isNegative()
                || (!parsed.isZero() && parsed.compareTo(java.time.Duration.ofSeconds(10)) < 0)) {
            throw new IllegalArgumentException("spec.syncPolicy.interval: " + text
                    + " is not a duration of at least 10s (such as 90s, 5m or 1h), or 0 for never");
        }
        return parsed;
    }

    @SuppressWarnings("unchecked")
    private static Application.HelmOptions helm(JsonNode helm) {
        if (helm.isMissingNode() || helm.isNull()) {
            return Application.HelmOptions.NONE;
        }
        if (!helm.isObject()) {
            throw new IllegalArgumentException("spec.render.helm: must be an object");
        }
        String releaseName = helm.path("releaseName").asText("");
        if (!releaseName.isEmpty() && !DNS_LABEL.matcher(releaseName).matches()) {
            throw new IllegalArgumentException("spec.render.helm.releaseName: " + releaseName + " is not a DNS label");
        }
        List<String> valueFiles = new ArrayList<>();
        JsonNode files = helm.path("valueFiles");
        if (!files.isMissingNode() && !files.isArray()) {
            throw new IllegalArgumentException("spec.render.helm.valueFiles: must be a list of paths");
        }
        for (JsonNode file : files) {
            if (!file.isTextual() || file.asText().isBlank()) {
                throw new IllegalArgumentException("spec.render.helm.valueFiles: must be a list of paths");
            }
            valueFiles.add(file.asText());
        }
        JsonNode values = helm.path("values");
        if (!values.isMissingNode() && !values.isObject()) {
            throw new IllegalArgumentException("spec.render.helm.values: must be an object");
        }
        Map<String, Object> inline = values.isMissingNode() ? Map.of() : YAML.convertValue(values, Map.class);
        return new Application.HelmOptions(
                releaseName.isEmpty() ? null : releaseName,
                List.copyOf(valueFiles),
                java.util.Collections.unmodifiableMap(new LinkedHashMap<>(inline)));
    }

    private static final Set<String> IGNORE_FIELDS =
            Set.of("group", "kind", "name", "namespace", "jsonPointers", "jsonPaths", "managedFieldsManagers");

    /**
     * {@code spec.ignoreDifferences}, as Argo CD users write it: per kind (and optionally group, name, namespace), JSON
     * pointers and field managers whose fields the application leaves to others. Argo CD's
     * {@code jqPathExpressions} are refused by name rather than ignored.
     */
    private static List<dev.driftless.events.IgnoreDifference> ignoreDifferences(JsonNode value) {
        if (value == null || value.isNull()) {
            return List.of();
        }
        if (!value.isArray()) {
            throw new IllegalArgumentException("spec.ignoreDifferences: must be a list");
        }
        List<dev.driftless.events.IgnoreDifference> rules = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            String at = "spec.ignoreDifferences[" + i + "]";
            JsonNode rule = value.get(i);
            if (!rule.isObject()) {
                throw new IllegalArgumentException(at + ": must be an object with a kind");
            }
            if (rule.has("jqPathExpressions")) {
                throw new IllegalArgumentException(at + ".jqPathExpressions: not supported; name the fields with"
                        + " jsonPaths ($.spec.template.spec.containers[*].image), jsonPointers (/spec/replicas) or"
                        + " managedFieldsManagers");
            }
            rule.fieldNames().forEachRemaining(field -> {
                if (!IGNORE_FIELDS.contains(field)) {
                    throw new IllegalArgumentException(at + "." + field + ": unknown (supported: "
                            + String.join(", ", IGNORE_FIELDS.stream().sorted().toList()) + ")");
                }
            });
            if (!rule.path("kind").isTextual() || rule.path("kind").asText().isBlank()) {
                throw new IllegalArgumentException(at + ".kind: is missing");
            }
            List<String> pointers = texts(rule.get("jsonPointers"), at + ".jsonPointers");
            for (String pointer : pointers) {
                try {
                    if (!pointer.startsWith("/")) {
                        throw new IllegalArgumentException("does not start with /");
                    }
                    com.fasterxml.jackson.core.JsonPointer.compile(pointer);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(at + ".jsonPointers: " + pointer
                            + " is not a JSON pointer (RFC 6901, e.g. /spec/replicas)");
                }
            }
            List<String> managers = texts(rule.get("managedFieldsManagers"), at + ".managedFieldsManagers");
            List<String> paths = texts(rule.get("jsonPaths"), at + ".jsonPaths");
            for (String path : paths) {
                try {
                    if (!path.startsWith("$")) {
                        throw new IllegalArgumentException("does not start with $");
                    }
                    com.jayway.jsonpath.JsonPath.compile(path);
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException(
                            at + ".jsonPaths: " + path + " is not a JSONPath ($.spec.replicas, $..image)");
                }
            }
            if (pointers.isEmpty() && managers.isEmpty() && paths.isEmpty()) {
                throw new IllegalArgumentException(
                        at + ": names no field (give jsonPointers, jsonPaths or managedFieldsManagers)");
            }
            rules.add(new dev.driftless.events.IgnoreDifference(
                    rule.path("group").asText(""),
                    rule.path("kind").asText(),
                    rule.path("name").isTextual() ? rule.path("name").asText() : null,
                    rule.path("namespace").isTextual() ? rule.path("namespace").asText() : null,
                    pointers,
                    managers,
                    paths));
        }
        return List.copyOf(rules);
    }

    private static List<String> texts(JsonNode value, String at) {
        if (value == null || value.isNull()) {
            return List.of();
        }
        if (!value.isArray()) {
            throw new IllegalArgumentException(at + ": must be a list");
        }
        List<String> texts = new ArrayList<>();
        for (JsonNode each : value) {
            if (!each.isTextual() || each.asText().isBlank()) {
                throw new IllegalArgumentException(at + ": " + each + " is not a non-empty string");
            }
            texts.add(each.asText());
        }
        return texts;
    }

    private static List<String> namespaces(JsonNode policy, String field) {
        JsonNode value = policy.get(field);
        if (value == null || value.isNull()) {
            return List.of();
        }
        if (!value.isArray()) {
            throw new IllegalArgumentException("spec.syncPolicy." + field + ": must be a list of namespaces");
        }
        List<String> namespaces = new ArrayList<>();
        for (JsonNode each : value) {
            if (!each.isTextual() || !DNS_LABEL.matcher(each.asText()).matches()) {
                throw new IllegalArgumentException(
                        "spec.syncPolicy." + field + ": " + each + " is not a namespace name");
            }
            namespaces.add(each.asText());
        }
        return List.copyOf(namespaces);
    }

    private static Integer seconds(JsonNode policy, String field) {
        JsonNode value = policy.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < 1) {
            throw new IllegalArgumentException(
                    "spec.syncPolicy." + field + ": must be a whole number of seconds, 1 or more");
        }
        return value.asInt();
    }

    private static List<String> dependsOn(JsonNode value) {
        if (value == null || value.isNull()) {
            return List.of();
        }
        if (!value.isArray()) {
            throw new IllegalArgumentException("spec.dependsOn: must be a list of application names");
        }
        List<String> names = new ArrayList<>();
        for (JsonNode each : value) {
            if (!each.isTextual() || !dev.driftless.events.ApplicationNames.isValid(each.asText())) {
                throw new IllegalArgumentException("spec.dependsOn: " + each + " is not an application name");
            }
            names.add(each.asText());
        }
        return List.copyOf(names);
    }

    private static boolean suspend(JsonNode value) {
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw new IllegalArgumentException("spec.suspend: must be true or false");
        }
        return value.asBoolean();
    }

    private static boolean flag(JsonNode policy, String field, boolean fallback) {
        JsonNode value = policy.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw new IllegalArgumentException("spec.syncPolicy." + field + ": must be true or false");
        }
        return value.asBoolean();
    }

    private static String required(JsonNode node, String... path) {
        JsonNode at = node;
        for (String segment : path) {
            at = at.path(segment);
        }
        if (!at.isTextual() || at.asText().isBlank()) {
            throw new IllegalArgumentException(String.join(".", path) + ": is required");
        }
        return at.asText();
    }
}
