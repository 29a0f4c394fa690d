package dev.driftless.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.driftless.devstack.tools.RequiredTools;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The console in a real browser (Debian's headless Chromium through its chromedriver) on the shared stack: a push shows
 * up applied and healthy without reloading the page, the commit's trace tells its story, a write token rolls back and
 * resyncs from the application page and the result appears live, and a read token can do neither. The screenshots in
 * {@code docs/} are taken here.
 */
@ExtendWith(SharedStack.Extension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIT {

    static final Duration GENEROUS = Duration.ofSeconds(90);

    static SharedStack stack;
    static WebDriver browser;
    static String console;

    @BeforeAll
    static void openABrowser(SharedStack shared) {
        RequiredTools.require("the console is tested in a real browser", "chromium", "chromedriver");
        stack = shared;
        console = stack.env("DRIFTLESS_CONSOLE_URL");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(RequiredTools.onPath("chromium").orElseThrow().toFile());
        options.addArguments(
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(
                        RequiredTools.onPath("chromedriver").orElseThrow().toFile())
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
        await().atMost(GENEROUS)
                .alias("the demo application is deployed when the stack starts")
                .until(() -> stack.demoConfig() != null);
    }

    @AfterAll
    static void closeTheBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    @Order(1)
    void aPushAppearsAppliedAndHealthyWithoutAReloadAndItsTraceTellsTheStory() throws Exception {
        signIn(stack.env("DRIFTLESS_API_TOKEN"));
        browser.get(console + "#/");
        await().atMost(GENEROUS)
                .until(() -> text("tr[data-application='demo'] .health").equals("Healthy"));
        // a mark on this page: still there after the push proves the page was updated, not reloaded
        js("window.driftlessTestMark = 'same page';");

        RevCommit pushed = pushMessage("Hello from the console test " + UUID.randomUUID(), "Grace");
        String shortSha = pushed.name().substring(0, 8);

        await().atMost(GENEROUS)
                .ignoreExceptions()
                .alias("the list shows the pushed commit applied and healthy")
                .until(() -> text("tr[data-application='demo'] .commit").equals(shortSha)
                        && text("tr[data-application='demo'] .sync").equals("Succeeded")
                        && text("tr[data-application='demo'] .health").equals("Healthy"));
        assertThat(js("return window.driftlessTestMark;")).isEqualTo("same page");
        await().atMost(GENEROUS)
                .ignoreExceptions()
                .alias("the commit's subject and author beside it")
                .until(() ->
                        text("tr[data-application='demo'] .summary").contains("Console: Hello from the console test")
                                && text("tr[data-application='demo'] .summary").contains("Grace"));
        screenshot("console-applications.png");

        browser.findElement(By.cssSelector("tr[data-application='demo'] .commit a"))
                .click();
        await().atMost(GENEROUS)
                .ignoreExceptions()
                .alias("the trace shows push, webhook, render, sync and healthy")
                .until(() -> text("section[data-application='demo'] .timeline").contains("Sync Succeeded")
                        && text("section[data-application='demo'] .timeline").contains("Healthy"));
        assertThat(text("main")).contains(pushed.name()).contains("Grace via");
        screenshot("console-commit-trace.png");
    }

    @Test
    @Order(2)
    void aFailedRenderShowsTheFileAndDocumentAtFault() throws Exception {
        signIn(stack.env("DRIFTLESS_API_READ_TOKEN"));
        RevCommit broken;
        try (Git git = stack.cloneDemo("console-broken")) {
            Path file = git.getRepository().getWorkTree().toPath().resolve("apps/demo/broken.yaml");
            Files.writeString(
                    file,
                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {}\n");
            broken = SharedStack.commitAndPush(git, "A broken manifest", "Grace");
            try {
                browser.get(console + "#/commits/" + broken.name());
                await().atMost(GENEROUS)
                        .ignoreExceptions()
                        .alias("the trace of the broken commit names the file and the document")
                        .until(() -> text("section[data-application='demo'] .failure .file")
                                .equals("apps/demo/broken.yaml"));
                assertThat(text("section[data-application='demo'] .failure"))
                        .contains("document 2")
                        .contains("ManifestInvalid");
                assertThat(text("section[data-application='demo'] .timeline")).contains("Render Failed");
                screenshot("console-failed-render.png");
            } finally { // the stack is left as it was found: its head renders
                Files.delete(file);
                SharedStack.commitAndPush(git, "Remove the broken manifest", "Grace");
            }
        }
    }

    @Test
    @Order(3)
    void aWriteTokenRollsBackAndResyncsFromTheApplicationPageAndTheResultAppearsLive() throws Exception {
        RevCommit first = pushMessage("Console rollback target " + UUID.randomUUID(), "Grace");
        awaitDemoAt(first);
        RevCommit second = pushMessage("Console rollback source " + UUID.randomUUID(), "Grace");
        awaitDemoAt(second);

        signIn(stack.env("DRIFTLESS_API_TOKEN"));
        browser.get(console + "#/applications/demo");
        await().atMost(GENEROUS)
                .ignoreExceptions()
                .until(() -> text("#current-commit").equals(second.name().substring(0, 8))
                        && browser.findElements(By.cssSelector("#rollback-commit option[value='" + first.name() + "']"))
                                        .size()
                                == 1);
        js("window.driftlessTestMark = 'same page';");
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("rollback-commit")))
                .selectByValue(first.name());
        browser.findElement(By.id("rollback")).click();
        browser.switchTo().alert().accept(); // "Roll demo back to …?"
        await().atMost(GENEROUS).until(() -> text("#action-result").startsWith("rollback accepted"));
        await().atMost(GENEROUS)
                .ignoreExceptions()
                .alias("the rollback appears on the page as it happens")
                .until(() -> text("#current-commit").equals(first.name().substring(0, 8)));
        assertThat(stack.demoConfig().getMetadata().getAnnotations())
                .containsEntry("driftless.dev/commit", first.name());
        assertThat(text("#history"))
                .contains("command.rollback")
                .contains("local")
                .contains("commit.pushed");
        assertThat(text("#pinned")).contains(first.name().substring(0, 8));
        assertThat(js("return window.driftlessTestMark;")).isEqualTo("same page");
        screenshot("console-application.png");

        browser.findElement(By.id("resync")).click();
        browser.switchTo().alert().accept();
        await().atMost(GENEROUS)
                .ignoreExceptions()
                .alias("a resync brings the application back to the head of its branch")
                .until(() -> text("#current-commit").equals(second.name().substring(0, 8)));
        awaitDemoAt(second);
    }

    @Test
    @Order(4)
    void aReadTokenSeesButCannotResyncOrRollBack() throws Exception {
        signIn(stack.env("DRIFTLESS_API_READ_TOKEN"));
        browser.get(console + "#/applications/demo");
        await().atMost(GENEROUS).ignoreExceptions().until(() -> text("#read-only")
                .contains("may only read"));
        assertThat(browser.findElement(By.id("resync")).isEnabled()).isFalse();
        assertThat(browser.findElement(By.id("rollback")).isEnabled()).isFalse();
        // and the API refuses it whatever the page does: a resync sent with the read token from the page
        Object status = ((JavascriptExecutor) browser)
                .executeAsyncScript("const done = arguments[arguments.length - 1];"
                        + "fetch('/api/applications/demo/resync', {method: 'POST', headers: {Authorization:"
                        + " 'Bearer ' + sessionStorage.getItem('driftless.token')}})"
                        + ".then(r => r.json().then(b => done(r.status + ' ' + b.reason)));");
        assertThat(status).isEqualTo("403 Forbidden");

        browser.get(console + "#/integrity");
        await().atMost(GENEROUS).ignoreExceptions().until(() -> text("#verification")
                .contains("intact"));
        screenshot("console-integrity.png");
    }

    @Test
    @Order(5)
    void aTokenTheStackDoesNotKnowIsNotLetIn() {
        browser.get(console);
        js("sessionStorage.clear();");
        browser.navigate().refresh();
        type("token", "not-a-token");
        await().atMost(GENEROUS).ignoreExceptions().until(() -> text("#sign-in-error")
                .contains("sign in again"));
        assertThat(browser.findElements(By.cssSelector("tr[data-application]"))).isEmpty();
    }

    /** Signs in through the form, as a person would. */
    static void signIn(String token) {
        browser.get(console);
        js("sessionStorage.clear();");
        browser.navigate().refresh();
        type("token", token);
        await().atMost(GENEROUS).ignoreExceptions().until(() -> text("#session").startsWith("Signed in as"));
    }

    static void type(String id, String value) {
        await().atMost(GENEROUS).ignoreExceptions().until(() -> browser.findElement(By.id(id))
                .isDisplayed());
        WebElement field = browser.findElement(By.id(id));
        field.sendKeys(value, org.openqa.selenium.Keys.ENTER);
    }

    static RevCommit pushMessage(String message, String author) throws Exception {
        return stack.pushDemoMessage(message, "Console: " + message, author);
    }

    static void awaitDemoAt(RevCommit commit) {
        await().atMost(GENEROUS).until(() -> {
            var cm = stack.demoConfig();
            return cm != null
                    && commit.name().equals(cm.getMetadata().getAnnotations().get("driftless.dev/commit"));
        });
    }

    /** The visible text of the first element matching the selector, "" when there is none yet. */
    static String text(String css) {
        try {
            List<WebElement> found = browser.findElements(By.cssSelector(css));
            return found.isEmpty() ? "" : found.get(0).getText().trim();
        } catch (StaleElementReferenceException e) {
            return "";
        }
    }

    static Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    static void screenshot(String name) throws Exception {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Path docs = stack.home.resolve("docs/console");
        Files.createDirectories(docs);
        Files.copy(shot.toPath(), docs.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
}
