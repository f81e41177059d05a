"""Clinical systems: FHIR R4 medication lists in, and a CDS Hooks 2.0 service."""
