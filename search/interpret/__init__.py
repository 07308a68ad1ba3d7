"""Query understanding: natural-language text -> kinds, filters, metric constraints and sorts."""

from assetscout.search.interpret.interpret import Interpretation, Interpreter
from assetscout.search.interpret.scan import Constraint
from assetscout.search.interpret.vocabulary import Vocabulary

__all__ = ["Constraint", "Interpretation", "Interpreter", "Vocabulary"]
