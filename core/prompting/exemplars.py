"""The course notes' chain-of-thought exemplars for ten task families, verbatim.

Source: course notes "Generative Models", section "In-Context Learning", taken from Wei et al. 2022,
"Chain-of-Thought Prompting Elicits Reasoning in Large Language Models" (prompts in its appendix).
The notes' last-letter exemplar concludes "ny"; the last letters of "Lady" and "Gaga" are "y" and
"a", so the correct concatenation is "ya". The text is kept as the notes print it.
"""

from dataclasses import dataclass

SOURCE = 'Course notes, "In-Context Learning"; Wei et al. 2022, "Chain-of-Thought Prompting Elicits Reasoning"'


@dataclass(frozen=True)
class Exemplar:
    family: str
    question: str
    answer: str  # the worked answer, reasoning chain included
    final: str  # the answer the chain ends with
    labels: tuple[str, str] = ("Q: ", "A: ")  # what precedes the question and the answer

    @property
    def text(self) -> str:
        return f"{self.labels[0]}{self.question}\n\n{self.labels[1]}{self.answer}"


EXEMPLARS: tuple[Exemplar, ...] = (
    Exemplar(
        "Math Word Problems (free response)",
        "Roger has 5 tennis balls. He buys 2 more cans of tennis balls. Each can has 3 tennis balls. "
        "How many tennis balls does he have now?",
        "Roger started with 5 balls. 2 cans of 3 tennis balls each is 6 tennis balls. $5 + 6 = 11$. The answer is 11.",
        "11",
    ),
    Exemplar(
        "Math Word Problems (multiple choice)",
        "How many keystrokes are needed to type the numbers from 1 to 500?\n"
        "Answer Choices: (a) 1156 (b) 1392 (c) 1480 (d) 1562 (e) 1788",
        "There are 9 one-digit numbers from 1 to 9. There are 90 two-digit numbers from 10 to 99. "
        "There are 401 three-digit numbers from 100 to 500. $9 + 90(2) + 401(3) = 1392$. The answer is (b).",
        "(b)",
    ),
    Exemplar(
        "CSQA (commonsense)",
        "Sammy wanted to go to where the people were. Where might he go?\n"
        "Options: (a) race track (b) populated areas (c) desert (d) apartment (e) roadblock",
        "The answer must be a place with a lot of people. Race tracks, desert, apartments, and roadblocks "
        "don't have a lot of people, but populated areas do. So the answer is (b).",
        "(b)",
    ),
    Exemplar(
        "StrategyQA",
        "Yes or no: Would a pear sink in water?",
        "The density of a pear is about 0.6 g/cm³, which is less than water. Thus, a pear would float. "
        "So the answer is no.",
        "no",
    ),
    Exemplar(
        "Date Understanding",
        "The concert was scheduled to be on 06/01/1943, but was delayed by one day to today. "
        "What is the date 10 days ago in MM/DD/YYYY?",
        "One day after 06/01/1943 is 06/02/1943, so today is 06/02/1943. 10 days before today is 05/23/1943. "
        "So the answer is 05/23/1943.",
        "05/23/1943",
    ),
    Exemplar(
        "Sports Understanding",
        'Is the following sentence plausible? "Joao Moutinho caught the screen pass in the NFC championship."',
        "Joao Moutinho is a soccer player. The NFC championship is part of American football, not soccer. "
        "So the answer is no.",
        "no",
    ),
    Exemplar(
        "SayCan (Instructing a robot)",
        "How would you bring me something that isn't a fruit?",
        "Explanation: the user wants something to eat that isn't a fruit. An energy bar is not a fruit, "
        "so I will bring the user an energy bar.\n\n"
        "Plan: 1. find(energy bar) 2. pick(energy bar) 3. find(user) 4. put(energy bar) 5. done().",
        "1. find(energy bar) 2. pick(energy bar) 3. find(user) 4. put(energy bar) 5. done().",
        labels=("Human: ", ""),
    ),
    Exemplar(
        "Last Letter Concatenation",
        'Take the last letters of the words in "Lady Gaga" and concatenate them.',
        'The last letter of "Lady" is "y". The last letter of "Gaga" is "a". Concatenating them is "ny". '
        "So the answer is ny.",
        "ny",
    ),
    Exemplar(
        "Coin Flip (state tracking)",
        "A coin is heads up. Maybelle flips the coin. Shalonda does not flip the coin. Is the coin still heads up?",
        "The coin was flipped by Maybelle. So the coin was flipped 1 time, which is an odd number. "
        "The coin started heads up, so after an odd number of flips, it will be tails up. So the answer is no.",
        "no",
    ),
)

BY_FAMILY = {e.family: e for e in EXEMPLARS}

FOR_TASK = {  # the notes' exemplar that matches each generated task family
    "coin_flip": BY_FAMILY["Coin Flip (state tracking)"],
    "last_letter": BY_FAMILY["Last Letter Concatenation"],
    "arithmetic": BY_FAMILY["Math Word Problems (free response)"],
    "dates": BY_FAMILY["Date Understanding"],
}
