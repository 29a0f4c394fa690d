package dev.driftless.render.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CatalogParserTest {

    static String app(String name, String extra) {
        return """
                apiVersion: driftless.dev/v1alpha1
                kind: Application
                metadata: { name: %s }
                spec:
                  source: { repoURL: "https://Git.example.com/shop/deploy.git", path: apps/%s }
                  destination: { namespace: shop }
                %s
                """
                .formatted(name, name, extra);
    }

    @Test
    void aDeclarationBecomesAnApplicationWithDefaults() {
        var result = CatalogParser.parse(Map.of("shop.yaml", app("frontend", "  syncPolicy: { prune: true }")));

        assertThat(result.errors()).isEmpty();
        assertThat(result.applications()).singleElement().satisfies(a -> {
            assertThat(a.repository()).isEqualTo("https://git.example.com/shop/deploy");
            assertThat(a.targetRevision()).isEqualTo("main");
            assertThat(a.ref()).isEqualTo("refs/heads/main");
            assertThat(a.path()).isEqualTo("apps/frontend");
            assertThat(a.renderType()).isEqualTo("auto");
            assertThat(a.target().prune()).isTrue();
            assertThat(a.target().selfHeal()).isFalse();
            assertThat(a.target().cluster()).isEqualTo("default");
            assertThat(a.source()).isEqualTo("shop.yaml");
        });
    }

    @Test
    void anApplicationMaySetItsOwnReconcileIntervalAsFluxWritesIt() {
        var result = CatalogParser.parse(Map.of(
                "a.yaml", app("minutes", "  syncPolicy: { interval: 5m }"),
                "b.yaml", app("never", "  syncPolicy: { interval: 0 }"),
                "c.yaml", app("iso", "  syncPolicy: { interval: PT90S }"),
                "d.yaml", app("default", ""),
                "e.yaml", app("tooshort", "  syncPolicy: { interval: 2s }"),
                "f.yaml", app("nonsense", "  syncPolicy: { interval: soon }")));

        assertThat(result.applications())
                .extracting(Application::name, Application::reconcileInterval)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("minutes", java.time.Duration.ofMinutes(5)),
                        org.assertj.core.groups.Tuple.tuple("never", java.time.Duration.ZERO),
                        org.assertj.core.groups.Tuple.tuple("iso", java.time.Duration.ofSeconds(90)),
                        org.assertj.core.groups.Tuple.tuple("default", null));
        assertThat(result.errors())
                .anySatisfy(e -> assertThat(e).startsWith("e.yaml: spec.syncPolicy.interval: 2s is not a duration"))
                .anySatisfy(e -> assertThat(e).startsWith("f.yaml: spec.syncPolicy.interval: soon is not a duration"));
    }

    @Test
    void errorsNameTheFileAndTheFieldAndLeaveOnlyThatDeclarationOut() {
        var result = CatalogParser.parse(Map.of(
                "a.yaml", app("good", "") + "---\n" + app("typed", "  render: { type: jsonnet }"),
                "b.yaml", app("nopath", "").replace("path: apps/nopath ", ""),
                "c.yaml", app("escape", "").replace("apps/escape", "../../etc"),
                "d.yaml", app("good", ""),
                "e.yaml", "kind: [broken\n"));

        assertThat(result.applications()).extracting(Application::name).containsExactly("good");
        assertThat(result.errors())
                .anySatisfy(e ->
                        assertThat(e).startsWith("a.yaml (document 2): spec.render.type: unknown render type jsonnet"))
                .anySatisfy(e -> assertThat(e).startsWith("b.yaml: spec.source.path: is required"))
                .anySatisfy(e ->
                        assertThat(e).startsWith("c.yaml: spec.source.path:").contains("leaves the repository"))
                .anySatisfy(e -> assertThat(e)
                        .isEqualTo("d.yaml: metadata.name: application good is already declared in a.yaml"))
                .anySatisfy(e -> assertThat(e).startsWith("e.yaml: not valid YAML"));
    }

    @Test
    void aMissingNamespaceOrABadNameIsReported() {
        var result = CatalogParser.parse(Map.of(
                "x.yaml",
                app("Bad_Name", ""),
                "y.yaml",
                app("ok", "").replace("destination: { namespace: shop }", "")));

        assertThat(result.applications()).isEmpty();
        assertThat(result.errors())
                .anySatisfy(e -> assertThat(e).contains("metadata.name: Bad_Name is not a DNS label"))
                .anySatisfy(e -> assertThat(e).contains("spec.destination.namespace: is required"));
    }

    static final String TEAMS =
            """
            apiVersion: driftless.dev/v1alpha1
            kind: Project
            metadata: { name: shop-team }
            spec:
              sourceRepos: ["https://git.example.com/shop/*"]
              destinations:
                - { namespace: "shop", serviceAccount: deployer }
                - { namespace: "shop-*" }
              clusterResourceWhitelist: [{ group: rbac.authorization.k8s.io, kind: ClusterRole }]
              namespaceResourceBlacklist: [{ group: "", kind: ResourceQuota }]
            """;

    @Test
    void anApplicationCarriesWhatItsProjectAllowsAndTheDefaultProjectAllowsNoClusterKind() {
        var result = CatalogParser.parse(Map.of(
                "projects.yaml", TEAMS,
                "a.yaml", app("frontend", "  project: shop-team\n  syncPolicy: { allowedNamespaces: [shop-jobs] }"),
                "b.yaml", app("plain", "")));

        assertThat(result.errors()).isEmpty();
        assertThat(result.applications())
                .extracting(a -> a.target().project())
                .containsExactly(
                        new dev.driftless.events.ProjectRules(
                                "shop-team",
                                java.util.List.of(new dev.driftless.events.ProjectRules.KindRule(
                                        "rbac.authorization.k8s.io", "ClusterRole")),
                                java.util.List.of(new dev.driftless.events.ProjectRules.KindRule("", "ResourceQuota")),
                                "shop/deployer"),
                        dev.driftless.events.ProjectRules.DEFAULT);
    }

    @Test
    void ignoreDifferencesAreReadAsArgoCdUsersWriteThemAndNonsenseIsRefusedByName() {
        var result = CatalogParser.parse(Map.of(
                "a.yaml",
                app(
                        "scaled",
                        "  ignoreDifferences:\n"
                                + "    - { group: apps, kind: Deployment, managedFieldsManagers: [kube-controller-manager] }\n"
                                + "    - { kind: ConfigMap, name: settings, jsonPointers: [/data/tuned] }"),
                "b.yaml",
                app("jq", "  ignoreDifferences: [{ kind: Deployment, jqPathExpressions: [.spec.replicas] }]"),
                "c.yaml",
                app("relative", "  ignoreDifferences: [{ kind: Deployment, jsonPointers: [spec/replicas] }]"),
                "d.yaml",
                app("empty", "  ignoreDifferences: [{ kind: Deployment }]"),
                "e.yaml",
                app("typo", "  ignoreDifferences: [{ kind: Deployment, jsonPointer: [/spec/replicas] }]"),
                "f.yaml",
                app("badpath", "  ignoreDifferences: [{ kind: Deployment, jsonPaths: [\"$.spec[?(\"] }]"),
                "g.yaml",
                app("images", "  ignoreDifferences: [{ kind: Deployment, jsonPaths: [\"$..image\"] }]")));

        assertThat(result.applications())
                .filteredOn(a -> a.name().equals("images"))
                .singleElement()
                .satisfies(a -> assertThat(a.target().ignoreDifferences().get(0).jsonPaths())
                        .containsExactly("$..image"));
        assertThat(result.errors()).anySatisfy(e -> assertThat(e)
                .startsWith("f.yaml: spec.ignoreDifferences[0].jsonPaths: $.spec[?( is not"));
        assertThat(result.applications())
                .filteredOn(a -> a.name().equals("scaled"))
                .singleElement()
                .satisfies(a -> assertThat(a.target().ignoreDifferences())
                        .containsExactly(
                                new dev.driftless.events.IgnoreDifference(
                                        "apps",
                                        "Deployment",
                                        null,
                                        null,
                                        java.util.List.of(),
                                        java.util.List.of("kube-controller-manager")),
                                new dev.driftless.events.IgnoreDifference(
                                        "",
                                        "ConfigMap",
                                        "settings",
                                        null,
                                        java.util.List.of("/data/tuned"),
                                        java.util.List.of())));
        assertThat(result.errors())
                .anySatisfy(e -> assertThat(e)
                        .startsWith("b.yaml: spec.ignoreDifferences[0].jqPathExpressions: not" + " supported"))
                .anySatisfy(e -> assertThat(e)
                        .startsWith("c.yaml: spec.ignoreDifferences[0].jsonPointers:"
                                + " spec/replicas is not a JSON pointer"))
                .anySatisfy(e -> assertThat(e).startsWith("d.yaml: spec.ignoreDifferences[0]: names no field"))
                .anySatisfy(e -> assertThat(e).startsWith("e.yaml: spec.ignoreDifferences[0].jsonPointer: unknown"));
    }

    @Test
    void anApplicationMaySyncByHandOrBeSuspended() {
        var result = CatalogParser.parse(Map.of(
                "a.yaml", app("default", ""),
                "b.yaml", app("byhand", "  syncPolicy: { automated: false }"),
                "c.yaml", app("paused", "  suspend: true"),
                "d.yaml", app("unclear", "  suspend: \"yes please\"")));

        assertThat(result.applications())
                .extracting(a -> a.name(), a -> a.target().automated(), a -> a.target()
                        .suspended())
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("default", true, false),
                        org.assertj.core.groups.Tuple.tuple("byhand", false, false),
                        org.assertj.core.groups.Tuple.tuple("paused", true, true));
        assertThat(result.errors()).singleElement().satisfies(e -> assertThat(e)
                .startsWith("d.yaml: spec.suspend: must be true or false"));
    }

    @Test
    void dependenciesMustBeDeclaredAndACycleIsRefusedNamedInFull() {
        var result = CatalogParser.parse(Map.of(
                "a.yaml", app("database", ""),
                "b.yaml", app("backend", "  dependsOn: [database]"),
                "c.yaml", app("frontend", "  dependsOn: [backend, database]"),
                "d.yaml", app("orphan", "  dependsOn: [nowhere]"),
                "e.yaml", app("chicken", "  dependsOn: [egg]"),
                "f.yaml", app("egg", "  dependsOn: [hen]"),
                "g.yaml", app("hen", "  dependsOn: [chicken]"),
                "h.yaml", app("farmer", "  dependsOn: [hen]")));

        assertThat(result.applications())
                .extracting(Application::name)
                .containsExactlyInAnyOrder("database", "backend", "frontend");
        assertThat(result.applications())
                .filteredOn(a -> a.name().equals("frontend"))
                .singleElement()
                .satisfies(a -> assertThat(a.target().dependsOn()).containsExactly("backend", "database"));
        assertThat(result.errors())
                .contains(
                        "d.yaml: spec.dependsOn: nowhere is not in the catalog (or is declared with errors); orphan is"
                                + " not rendered",
                        "e.yaml: spec.dependsOn: a cycle (chicken → egg → hen → chicken); none of them is rendered",
                        "f.yaml: spec.dependsOn: a cycle (chicken → egg → hen → chicken); none of them is rendered",
                        "g.yaml: spec.dependsOn: a cycle (chicken → egg → hen → chicken); none of them is rendered",
                        "h.yaml: spec.dependsOn: hen is in a dependency cycle; farmer is not rendered");
    }

    @Test
    void aProjectsSyncWindowsTravelWithItsApplicationsAndBadOnesAreRefusedByName() {
        String windows = TEAMS.replace(
                "  namespaceResourceBlacklist",
                "  syncWindows:\n"
                        + "    - { kind: deny, schedule: \"0 22 * * *\", duration: 1h, manualSync: true,"
                        + " applications: [\"front*\"], timeZone: Europe/Paris }\n"
                        + "  namespaceResourceBlacklist");
        var result = CatalogParser.parse(
                Map.of("projects.yaml", windows, "a.yaml", app("frontend", "  project: shop-team")));
        assertThat(result.errors()).isEmpty();
        assertThat(result.applications().get(0).target().project().syncWindows())
                .containsExactly(new dev.driftless.events.SyncWindow(
                        "deny", "0 22 * * *", "1h", java.util.List.of("front*"), true, "Europe/Paris"));

        for (String[] bad : new String[][] {
            {
                "{ kind: maybe, schedule: \"0 22 * * *\", duration: 1h }",
                "spec.syncWindows[0].kind: must be allow or deny"
            },
            {"{ kind: deny, schedule: \"at ten\", duration: 1h }", "spec.syncWindows[0].schedule: at ten is not a"},
            {"{ kind: deny, schedule: \"0 22 * * *\", duration: soon }", "spec.syncWindows[0].duration: duration soon"},
            {
                "{ kind: deny, schedule: \"0 22 * * *\", duration: 1h, timeZone: Mars/Olympus }",
                "spec.syncWindows[0].timeZone: Mars/Olympus is not a time zone"
            }
        }) {
            var refused = CatalogParser.parse(Map.of(
                    "projects.yaml",
                    TEAMS.replace(
                            "  namespaceResourceBlacklist",
                            "  syncWindows: [" + bad[0] + "]\n  namespaceResourceBlacklist"),
                    "a.yaml",
                    app("frontend", "  project: shop-team")));
            assertThat(refused.errors()).as(bad[0]).anySatisfy(e -> assertThat(e)
                    .contains(bad[1]));
        }
    }

    static String fromCluster(String name, String project, String appliedBy) {
        return "{\"apiVersion\": \"driftless.dev/v1alpha1\", \"kind\": \"Application\", \"metadata\": {\"name\": \""
                + name + "\""
                + (appliedBy == null ? "" : ", \"labels\": {\"driftless.dev/application\": \"" + appliedBy + "\"}")
                + "}, \"spec\": {\"project\": \"" + project + "\", \"source\": {\"repoURL\":"
                + " \"https://git.example.com/shop/deploy.git\", \"path\": \"apps/x\"}, \"destination\":"
                + " {\"namespace\": \"shop\"}}}";
    }

    @Test
    void aClusterResourceNeverTakesADirectoryNameNorLeavesItsParentsProject() {
        var result = CatalogParser.parse(Map.of(
                "projects.yaml", TEAMS,
                "z-shop.yaml", app("shop", "  project: shop-team"),
                "cluster/driftless-system/Application/shop", fromCluster("shop", "default", null),
                "cluster/driftless-system/Application/parent", fromCluster("parent", "shop-team", null),
                "cluster/driftless-system/Application/same", fromCluster("same", "shop-team", "parent"),
                "cluster/driftless-system/Application/wider", fromCluster("wider", "default", "parent")));

        assertThat(result.applications())
                .extracting(Application::name, Application::source)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("shop", "z-shop.yaml"),
                        org.assertj.core.groups.Tuple.tuple("parent", "cluster/driftless-system/Application/parent"),
                        org.assertj.core.groups.Tuple.tuple("same", "cluster/driftless-system/Application/same"));
        assertThat(result.errors())
                .anySatisfy(e -> assertThat(e)
                        .startsWith("cluster/driftless-system/Application/shop")
                        .contains("already declared in z-shop.yaml"))
                .anySatisfy(e -> assertThat(e)
                        .isEqualTo("cluster/driftless-system/Application/wider: spec.project: wider was applied by"
                                + " parent and may only be in its project shop-team, not default"));
    }

    @Test
    void anApplicationResourceInATeamsNamespaceIsReadOnlyWhereItsProjectAllowsThatNamespaceNamedNamespaceFirst() {
        String teams = TEAMS.replace("  sourceRepos:", "  sourceNamespaces: [\"shop-*\"]\n  sourceRepos:");
        var result = CatalogParser.parse(
                Map.of(
                        "projects.yaml", teams,
                        "cluster/shop-apps/Application/allowed", fromCluster("allowed", "shop-team", null),
                        "cluster/shop-apps/Application/home", fromCluster("home", "shop-team", null),
                        "cluster/billing/Application/elsewhere", fromCluster("elsewhere", "shop-team", null),
                        "cluster/shop-apps/Application/defaulted", fromCluster("defaulted", "default", null),
                        "cluster/driftless-system/Application/home", fromCluster("home", "default", null)),
                "driftless-system");

        assertThat(result.applications())
                .extracting(Application::name, Application::declaredIn)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("shop-apps.allowed", "shop-apps"),
                        // a team's resource never takes the name of one where Driftless runs
                        org.assertj.core.groups.Tuple.tuple("shop-apps.home", "shop-apps"),
                        org.assertj.core.groups.Tuple.tuple("home", "driftless-system"));
        assertThat(result.errors())
                .containsExactlyInAnyOrder(
                        "cluster/billing/Application/elsewhere: metadata.namespace: project shop-team does not allow"
                                + " Application resources in namespace billing (see its spec.sourceNamespaces)",
                        "cluster/shop-apps/Application/defaulted: metadata.namespace: project default does not allow"
                                + " Application resources in namespace shop-apps (see its spec.sourceNamespaces)");
        assertThat(CatalogParser.parse(Map.of("projects.yaml", teams)).errors()).isEmpty();
        // a team's application depends only on its own project's: what it waits for shows the other's health
        var depending = CatalogParser.parse(
                Map.of(
                        "projects.yaml",
                        teams,
                        "z-db.yaml",
                        app("db", ""),
                        "cluster/shop-apps/Application/api",
                        fromCluster("api", "shop-team", null)
                                .replace("\"project\"", "\"dependsOn\": [\"db\"], \"project\""),
                        "cluster/shop-apps/Application/worker",
                        fromCluster("worker", "shop-team", null)
                                .replace("\"project\"", "\"dependsOn\": [\"shop-apps.api\"], \"project\"")),
                "driftless-system");
        assertThat(depending.applications()).extracting(Application::name).containsExactly("db");
        assertThat(depending.errors()).anySatisfy(e -> assertThat(e)
                .startsWith("cluster/shop-apps/Application/api: spec.dependsOn: db is not in project shop-team"));
        assertThat(CatalogParser.parse(Map.of(
                                "projects.yaml",
                                TEAMS.replace("  sourceRepos:", "  sourceNamespaces: [\"Shop/Apps\"]\n  sourceRepos:")))
                        .errors())
                .singleElement()
                .satisfies(e -> assertThat(e).contains("spec.sourceNamespaces: \"Shop/Apps\" is not a namespace"));
    }

    @Test
    void aDependencyOnAnotherClusterIsRefused() {
        var result = CatalogParser.parse(Map.of(
                "a.yaml", app("database", "").replace("namespace: shop }", "namespace: shop, cluster: edge }"),
                "b.yaml", app("backend", "  dependsOn: [database]")));

        assertThat(result.applications()).extracting(Application::name).containsExactly("database");
        assertThat(result.errors()).singleElement().satisfies(e -> assertThat(e)
                .contains("database deploys to cluster edge, not default"));
    }

    @Test
    void anApplicationItsProjectDoesNotAllowIsReportedAndLeftOut() {
        var result = CatalogParser.parse(Map.of(
                "projects.yaml", TEAMS,
                "a.yaml", app("elsewhere", "  project: shop-team").replace("namespace: shop }", "namespace: billing }"),
                "b.yaml", app("foreign", "  project: shop-team").replace("/shop/deploy", "/billing/deploy"),
                "c.yaml", app("sneaky", "  project: shop-team").replace("/shop/deploy", "/shop/x/../../evil/deploy"),
                "d.yaml", app("wider", "  syncPolicy: { allowedNamespaces: [kube-system] }"),
                "e.yaml", app("nobody", "  project: ghost"),
                "f.yaml", app("secretive", "").replace("https://Git", "https://user:token@Git"),
                "g.yaml", app("tokenised", "").replace("https://Git", "https://ghp_abc@Git"),
                "h.yaml", app("ssh", "").replace("https://Git.example.com/", "git@git.example.com:")));

        assertThat(result.applications()).extracting(Application::name).containsExactly("ssh");
        assertThat(result.errors())
                .anySatisfy(e -> assertThat(e)
                        .isEqualTo("a.yaml: spec.destination: project shop-team does not allow"
                                + " namespace billing on cluster default (see its spec.destinations)"))
                .anySatisfy(e -> assertThat(e)
                        .startsWith("b.yaml: spec.source.repoURL: project shop-team does not"
                                + " allow repository https://git.example.com/billing/deploy"))
                .anySatisfy(e -> assertThat(e).startsWith("c.yaml: spec.source.repoURL: project shop-team"))
                .anySatisfy(e -> assertThat(e)
                        .startsWith("d.yaml: spec.syncPolicy.allowedNamespaces: project"
                                + " default does not allow namespace kube-system"))
                .anySatisfy(e -> assertThat(e).startsWith("e.yaml: spec.project: project ghost is not declared"))
                .anySatisfy(e -> assertThat(e).startsWith("f.yaml: spec.source.repoURL: must not carry credentials"))
                .anySatisfy(e -> assertThat(e).startsWith("g.yaml: spec.source.repoURL: must not carry credentials"));
        assertThat(String.join("\n", result.errors())).doesNotContain("token", "ghp_abc");
    }

    @Test
    void aBrokenProjectLeavesItsApplicationsOutAndSaysWhy() {
        var result = CatalogParser.parse(Map.of(
                "projects.yaml", TEAMS.replace("kind: ClusterRole", "kind: \"\""),
                "a.yaml", app("frontend", "  project: shop-team")));

        assertThat(result.applications()).isEmpty();
        assertThat(result.errors())
                .anySatisfy(e -> assertThat(e).startsWith("projects.yaml: spec.clusterResourceWhitelist:"))
                .anySatisfy(e -> assertThat(e)
                        .isEqualTo("a.yaml: spec.project: project shop-team is declared with"
                                + " errors; the application is not rendered"));
    }
}
