"""The virtual lab: procedures (Strange Situation), measurement layer and virtual studies.

The lab *observes* the model. Nothing in ``model/`` imports from here and no procedure writes
back into a simulation's state: every procedure works on copies of the state arrays.
"""
