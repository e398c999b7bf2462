"""The dashboard's Info tab, in the shape of NetLogo's Info tab: what it is, how it works, how to
use it, things to notice, things to try, credits and sources. Plain text (Markdown); the page
shows it as it is."""

from __future__ import annotations

INFO_SECTIONS: tuple[tuple[str, str], ...] = (
    ("What is it?",
     "A simulation of families from pregnancy to the second year: a mother, often a father, sometimes "
     "a grandparent, an older sibling or a daycare carer, and an infant. Their hormones (oxytocin, "
     "cortisol, testosterone, prolactin) change hour by hour with what they do, and what they do "
     "depends on their hormones. Over months, caregivers bond with the infant and the infant learns "
     "what to expect from each of them. At 12 months the infants meet the Strange Situation, the "
     "laboratory procedure that classifies attachment as A (avoidant), B (secure), C (resistant) or "
     "D (disorganised)."),
    ("How it works",
     "Each step is one simulated hour for every family at once. An awake infant cries (a distress bid) "
     "or smiles and coos (a social bid). An available caregiver may notice and respond: sensitively, "
     "intrusively, by turning away or, rarely, frighteningly. Touch and feeding release oxytocin; "
     "oxytocin damps the cortisol response, sharpens reading the baby's signals and keeps carer and baby "
     "in tune. A rewarding hour strengthens the caregiver's bond; the infant counts good and bad "
     "experiences with each caregiver. Hands-on care lowers fathers' testosterone. Chronic stress, "
     "depression and unresolved loss make care less sensitive. Every rule, its units and its source "
     "are in docs/ODD.md."),
    ("How to use it",
     "Open a lesson (Lesson tab, or an address such as /?lesson=stress_buffering). Press Play, or Step "
     "to advance by the chosen hours. Change a slider, then press Reset: a new run starts with the same "
     "seed, so the same families meet the change, and the previous run stays on the plots dashed. The "
     "numbers above the tabs are now; the plots are daily means. Use 1 hour per step with the Household "
     "tab to watch a day, 1 or 4 weeks per step to watch months."),
    ("Things to notice",
     "Cortisol follows a daily rhythm, high in the morning. Mothers' prolactin stays up while they "
     "breastfeed. Bonds grow fastest in the first weeks and with the hours of care given. The dashed "
     "lines at leave ends, daycare and interventions mark when something changes for the families. "
     "Most effects are a few per cent: the axes start at zero so that they look their true size."),
    ("Things to try",
     "Switch off one oxytocin domain at a time. Give fathers six months of leave. Compare the scenarios "
     "high_risk, grandmother_coresident, caregiver_loss_6m and nicu_separation. Change only the seed "
     "to see how much of a difference is chance. Run to 12 months and compare the A/B/C/D shares by "
     "caregiver."),
    ("Credits and sources",
     "The bonding project (MIT licence), built on Mesa 3.5 and Solara. The oxytocin domains follow Patin "
     "et al. (2018); bonding through care hours follows Abraham et al. (2014); fathers' testosterone, "
     "Gettler et al. (2011); the Strange Situation, Ainsworth et al. (1978); disorganisation and "
     "frightening care, Main & Hesse (1990). Every parameter's source is shown when you hover over its "
     "slider and listed by `bonding params`; the findings the model is checked against are in "
     "docs/validation.md. This is a teaching model: its numbers illustrate mechanisms, they are not "
     "predictions for any real family."),
)
