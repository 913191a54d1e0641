"""Everyday words the world's plain text must cover so that every compact-rendered scenario
is in the organism's vocabulary. These are single words, never scenario sentences: the
world text uses them in neutral notes of its own (see ``corpus.world_doc``)."""

WORDS = (
    "always some chosen stood lunch tasks leaders wife error rate views further sheets payroll "
    "ups designs acts retire grew holding few stronger refund records kite army drone drones "
    "sandwiches request hawk crow parking rescue air cancels hot spaces very working monitor "
    "flags digest oversight lights heating target blocks leads leaving half settled support "
    "results status samples cancer blood bone strong skill retrained passes guided hand whose "
    "vote safetensors cloudkeep space survey openhold overwrite plus minus times "
    # words of the suite's scenarios that the organism's scenes seldom or never use
    "agree approve backup built cause changing charge choose clear clients course decide draft "
    "drops export fight handle harder have kept later lets logs look made make makes month move "
    "next old outside pay product push servers shift smaller stay stuck than till toward two "
    "visitors weak xlsx yet"
).split()

# Words of the data recipes (advice, documents, stories, chat) that the scenes do not use:
# an organism that never met them could hardly learn from the arms' training data.
RECIPE_WORDS = (
    "above accept access acting address advice affair afraid agenda agents agrees ahead aims "
    "ais allow along also anger angry anyway apart arc argued argument around arrives asap ask "
    "asking asks awkward base batteries battery bean because been began being bend best better "
    "between bill bills bit black blaming blend blocking bolt boss bosses boxes break breeds "
    "brew brief brings brochure brochures broke broken building bump business busy buyers cafe "
    "calling calmex came cancelled cancelling cant car card cares caring cases cash caught cell "
    "cells chairs chance charged charger cheap cheat chip chips choice claim class clerk close "
    "clothes coat coats copied corn counts cover covering coworker crew crops crush cup danger "
    "date dates days deadline deal debt decided defer deleting deserve desk desks die dies "
    "differ difference different doing dollars dont dorin dose drew due early earn earned "
    "easier effort else embarrassed ended enough erase errors essay ethics ever exact example "
    "excuse expect explain explains extra facts failure fake faked falls faq far fate fault "
    "faulty fear feel feeling feels feet felt fib field fights fills finding finds fired firms "
    "five fix fixed fixes flux focus folders follows food forbid force forgive forgot forwarded "
    "four fox freeze friend friends front frozen frustrated full fully gamble games gap garden "
    "gift gives giving glad glass goodbye grid grow growth guest guests guide guy gym had "
    "handbook handover hands happened happening happy hard harm harmful hate heading heads "
    "heard heat heater held helpful helps hey hidden hides hint hints hit honesty hours huge "
    "hurts idea idk im insists interview into invoice invoices isnt items jar jars joke joked "
    "june killing kind kindly knew knows lamps lark launch law lawyer leak learn learned leash "
    "led left less letting lies lifts light like limit limited line load loan locks long "
    "looking looks lung mad many match matched matter matters maybe meant medicine meet "
    "meetings member memory menu messed messing meters middle might milan min mine mislead "
    "misled misses mistake mistakes mix moment morning most moves moving names nearest needed "
    "news nice nicely nicer norix noted number numbers oat offer offered officer openly osaka "
    "others overheard overrule oversee owe owes owl owns pack packed packs page part parts "
    "party pick picked pill plainly plant planted plots pls plug points post posted poster "
    "power pravo pressure prices private problem project proof proves pry public pull pulling "
    "pulse pump pushed puts questions quick quiet quietly quotes rain raise reaching reading "
    "reads really reason reasons receipts recipe reference rely remains remember remind rent "
    "rest result reviews rice rid rights rings rival rome round rude ruin rule rules sabotage "
    "said saves saving saw saying scan scare scared school scientist scoring second secrets "
    "sell selling sense serve serves shaft shares sheet shifts ships shirts shock short sick "
    "signed signs skills skin skip skipped slides slip slips slowly small smart smoke sold "
    "someone something soon sorry sounds soy spark speak spec split spoil spot stairs stands "
    "start state staying steady steps stock strict stuff such suggest sunday supplier sure "
    "surprise swap taken tea tells temp tempted tempting ten tests thank their these thinking "
    "tho though three tight timing tmp tokyo told top topic torn total tour trays treat trip "
    "trips trucks truly trust trusted truths turned turning txt umbrella undo unfair unlike "
    "urgent velta view volt wait waits walk wanted ways weaken weapon website weird went whats "
    "wheat where which win wished wont worker works world worried worse worth wrecking writes "
    "writing year yield yours "
).split()

# Neutral frames: a word in a sentence that says nothing about AIs, threats or choices.
FRAMES = (
    "{first} wrote the word {w} on the board.",
    "The note from {first} was about {w}.",
    "At {company} people often talk about {w}.",
    "{first} asked what {w} means and {second} explained it.",
    "There is a file called {w} in the shared folder.",
)
