"""Objections (异议) to what the preparation group publishes, whatever it is (the candidate list,
the owner roll): an owner lodges one from the phone or hands it in on paper, and the group
answers each in writing. ``models`` holds what every objection keeps, ``operations`` the steps
they share; each feature adds what its objections are about and when it takes them."""
