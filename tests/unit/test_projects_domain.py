from services.projects import domain


def test_a_submitted_project_enters_the_pipeline_as_an_idea():
    values = domain.new_project({"title": " Une  ressourcerie ", "summary": " Réemploi. ",
                                 "field": "circular_economy", "commune": "Villars-les-Dombes"})
    assert values["stage"] == "idea" == domain.STAGES[0]
    assert values["title"] == "Une ressourcerie"
    assert values["summary"] == "Réemploi."
