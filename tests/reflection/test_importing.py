import pytest

from attunement.codings.models import CodingEvent, CodingPass

from ..conftest import login
from .conftest import a_session, reference, upload, url


@pytest.mark.django_db
class TestImportReferenceFiles:
    @pytest.mark.parametrize(
        ("name", "events", "title"),
        [
            ("boris/test.boris", 2, "offset positif"),
            ("boris/test2.boris", 2, "offset positif"),
            ("boris/test_without_media_files_paths.boris", 2, "offset positif"),
            ("boris/test_with_leading_trailing_spaces_in_modifiers.boris", 4, "test1 live"),
            ("elan/sample_2.7.eaf", 8778, "sample_2.7.eaf"),
            ("elan/sample_3.0.eaf", 8778, "sample_3.0.eaf"),
        ],
    )
    def test_each_reference_file_imports_every_event(self, world, client, name, events, title):
        path = reference(name)
        session = a_session(world)
        login(client, world.practitioner)
        response = client.post(url("import", session), {"file": upload(path.read_bytes(), path.name)}, follow=True)
        assert response.status_code == 200
        coding_pass = CodingPass.objects.get()
        assert coding_pass.events.count() == events
        assert coding_pass.title == title
        assert coding_pass.coder == world.practitioner.user
        assert f"Coding imported: {events} event" in response.content.decode()

    def test_a_boris_file_with_several_observations_imports_the_first_and_says_so(self, world, client):
        path = reference("boris/test.boris")
        session = a_session(world)
        login(client, world.practitioner)
        page = client.post(url("import", session), {"file": upload(path.read_bytes())}, follow=True).content.decode()
        assert "holds 12 observations" in page and "“offset positif”, was imported" in page
        assert CodingPass.objects.get().source == "boris"

    def test_a_chosen_boris_observation_is_imported(self, world, client):
        path = reference("boris/test.boris")
        session = a_session(world)
        login(client, world.practitioner)
        data = {"file": upload(path.read_bytes()), "observation": "observation #2"}
        client.post(url("import", session), data)
        coding_pass = CodingPass.objects.get()
        assert coding_pass.events.count() == 18
        assert coding_pass.media_duration == pytest.approx(539.92)

    def test_an_observation_the_file_lacks_is_refused_with_the_names_it_has(self, world, client):
        path = reference("boris/test.boris")
        session = a_session(world)
        login(client, world.practitioner)
        response = client.post(url("import", session), {"file": upload(path.read_bytes()), "observation": "nope"})
        assert response.status_code == 400
        assert "no observation called" in response.content.decode() and "observation #2" in response.content.decode()
        assert not CodingPass.objects.exists()

    def test_the_ethogram_is_not_changed_by_imported_codes(self, world, client):
        path = reference("elan/sample_3.0.eaf")
        session = a_session(world)
        login(client, world.practitioner)
        client.post(url("import", session), {"file": upload(path.read_bytes())})
        from attunement.codings.models import EthogramCode

        keys = set(EthogramCode.objects.filter(organisation=world.school).values_list("key", flat=True))
        stored = set(CodingEvent.objects.values_list("code", flat=True))
        assert stored and not stored & keys


@pytest.mark.django_db
class TestMalformedFiles:
    @pytest.mark.parametrize(
        ("data", "words"),
        [
            (b'{"observations": 1}', "BORIS file"),
            (b"<ANNOTATION_DOCUMENT><TIER", "ELAN"),
            (b"when,what\n1,smile\n", "The CSV file has no time or code column."),
            (b"time,code,kind\n-3,L-smiles,point\n", "not negative"),
            (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "not text"),
            (b"", "empty"),
        ],
    )
    def test_a_malformed_file_gives_a_plain_message_and_saves_nothing(self, world, client, data, words):
        session = a_session(world)
        login(client, world.practitioner)
        response = client.post(url("import", session), {"file": upload(data, "looks-right.boris")})
        assert response.status_code == 400
        page = response.content.decode().replace("&#x27;", "'")
        assert "Nothing was saved" in page
        assert words in page
        assert not CodingPass.objects.exists() and not CodingEvent.objects.exists()

    def test_a_file_over_20_mb_is_refused(self, world, client, settings):
        session = a_session(world)
        login(client, world.practitioner)
        big = b"time,code\n" + b"1,L-smiles\n" * (2 * 1024 * 1024)
        response = client.post(url("import", session), {"file": upload(big)})
        assert response.status_code == 400 and "larger than 20 MB" in response.content.decode()
        assert not CodingPass.objects.exists()
