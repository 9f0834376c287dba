package io.cryoprotect.gateway;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package rules, on the compiled main classes: packages form no cycle, the policies
 * stay apart, the error model and the shared utilities know no feature, nothing in
 * production reaches the demo, and the SMILES checker stands alone (a module of its own
 * some day).
 */
class ArchitectureTests {

	private static final String GATEWAY = "io.cryoprotect.gateway";

	private static JavaClasses classes;

	@BeforeAll
	static void importMainClasses() {
		classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
			.importPackages(GATEWAY);
	}

	@Test
	void packagesFormNoCycle() {
		slices().matching(GATEWAY + ".(*)..").should().beFreeOfCycles().check(classes);
	}

	@Test
	void policiesDoNotImportEachOther() {
		String[] policies = { "identity", "ratelimit", "validation", "resilience" };
		for (String policy : policies) {
			for (String other : policies) {
				if (!policy.equals(other)) {
					noClasses().that()
						.resideInAPackage(GATEWAY + "." + policy + "..")
						.should()
						.dependOnClassesThat()
						.resideInAPackage(GATEWAY + "." + other + "..")
						.check(classes);
				}
			}
		}
	}

	@Test
	void errorsAndSupportKnowNoFeature() {
		noClasses().that()
			.resideInAPackage(GATEWAY + ".errors..")
			.should()
			.dependOnClassesThat()
			.resideOutsideOfPackages(GATEWAY + ".errors..", GATEWAY + ".support..", "java..", "javax..",
					"org.springframework..", "reactor..", "io.netty..", "tools.jackson..", "com.fasterxml.jackson..",
					"org.apache.commons.logging..", "org.slf4j..")
			.check(classes);
		noClasses().that()
			.resideInAPackage(GATEWAY + ".support..")
			.should()
			.dependOnClassesThat(gatewayOutside("support"))
			.check(classes);
	}

	@Test
	void productionNeverImportsTheDemo() {
		noClasses().that()
			.resideInAPackage(GATEWAY + "..")
			.and()
			.resideOutsideOfPackage(GATEWAY + ".demo..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage(GATEWAY + ".demo..")
			.check(classes);
	}

	@Test
	void smilesImportsNothingOfTheGateway() {
		noClasses().that()
			.resideInAPackage(GATEWAY + ".smiles..")
			.should()
			.dependOnClassesThat(gatewayOutside("smiles"))
			.check(classes);
	}

	/** The gateway's classes outside one of its packages. */
	private static DescribedPredicate<JavaClass> gatewayOutside(String pkg) {
		return resideInAPackage(GATEWAY + "..").and(resideOutsideOfPackage(GATEWAY + "." + pkg + ".."))
			.as("the gateway's classes outside " + pkg);
	}

}
